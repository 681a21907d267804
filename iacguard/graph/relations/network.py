"""Network relations: security groups and their rules, where things run (subnet, VPC), routing
(subnet -> route table -> gateway) and load balancers (listener -> target group -> target)."""
from __future__ import annotations

from .common import Join, Link, draw, paths

SG = ("aws_security_group", "aws_default_security_group", "AWS::EC2::SecurityGroup")
SUBNET = ("aws_subnet", "aws_default_subnet", "AWS::EC2::Subnet")
VPC = ("aws_vpc", "aws_default_vpc", "AWS::EC2::VPC")
ROUTE_TABLE = ("aws_route_table", "aws_default_route_table", "AWS::EC2::RouteTable")
GATEWAY = (
    "aws_internet_gateway", "aws_nat_gateway", "aws_egress_only_internet_gateway",
    "AWS::EC2::InternetGateway", "AWS::EC2::NatGateway", "AWS::EC2::EgressOnlyInternetGateway",
)
SUBNET_GROUP = ("aws_db_subnet_group", "aws_elasticache_subnet_group", "AWS::RDS::DBSubnetGroup", "AWS::ElastiCache::SubnetGroup")
LB = ("aws_lb", "aws_alb", "AWS::ElasticLoadBalancingV2::LoadBalancer")
LISTENER = ("aws_lb_listener", "aws_alb_listener", "AWS::ElasticLoadBalancingV2::Listener")
LISTENER_RULE = ("aws_lb_listener_rule", "aws_alb_listener_rule", "AWS::ElasticLoadBalancingV2::ListenerRule")
TARGET_GROUP = ("aws_lb_target_group", "aws_alb_target_group", "AWS::ElasticLoadBalancingV2::TargetGroup")
TARGETS = (
    "aws_instance", "aws_lambda_function", "AWS::EC2::Instance", "AWS::Lambda::Function",
    "AWS::Serverless::Function",
)

ROWS = (
    # rule_of: rule -> security group (and listener rule -> listener)
    Link("rule_of", ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"), paths("security_group_id"), SG),
    Link("rule_of", ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"), paths("GroupId", "GroupName"), SG),
    Link("rule_of", LISTENER_RULE, paths("listener_arn", "ListenerArn"), LISTENER),
    # uses_security_group
    Link("uses_security_group", ("aws_instance",), paths("vpc_security_group_ids", "security_groups", "network_interface.security_groups"), SG),
    Link("uses_security_group", ("aws_network_interface",), paths("security_groups"), SG),
    Link("uses_security_group", ("aws_lb", "aws_alb", "aws_elb"), paths("security_groups"), SG),
    Link("uses_security_group", ("aws_db_instance", "aws_rds_cluster"), paths("vpc_security_group_ids"), SG),
    Link("uses_security_group", ("aws_lambda_function",), paths("vpc_config.security_group_ids"), SG),
    Link("uses_security_group", ("aws_launch_template",), paths("vpc_security_group_ids", "network_interfaces.security_groups"), SG),
    Link("uses_security_group", ("aws_ecs_service",), paths("network_configuration.security_groups"), SG),
    Link("uses_security_group", ("aws_elasticache_cluster", "aws_elasticache_replication_group"), paths("security_group_ids"), SG),
    Link("uses_security_group", ("aws_eks_cluster",), paths("vpc_config.security_group_ids"), SG),
    Link("uses_security_group", ("AWS::EC2::Instance",), paths("SecurityGroupIds", "SecurityGroups", "NetworkInterfaces.GroupSet"), SG),
    Link("uses_security_group", ("AWS::EC2::NetworkInterface",), paths("GroupSet"), SG),
    Link("uses_security_group", ("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancing::LoadBalancer"), paths("SecurityGroups"), SG),
    Link("uses_security_group", ("AWS::RDS::DBInstance",), paths("VPCSecurityGroups", "DBSecurityGroups"), SG),
    Link("uses_security_group", ("AWS::RDS::DBCluster",), paths("VpcSecurityGroupIds"), SG),
    Link("uses_security_group", ("AWS::Lambda::Function", "AWS::Serverless::Function"), paths("VpcConfig.SecurityGroupIds"), SG),
    Link("uses_security_group", ("AWS::EC2::LaunchTemplate",), paths("LaunchTemplateData.SecurityGroupIds", "LaunchTemplateData.NetworkInterfaces.Groups"), SG),
    Link("uses_security_group", ("AWS::ECS::Service",), paths("NetworkConfiguration.AwsvpcConfiguration.SecurityGroups"), SG),
    Link("uses_security_group", ("AWS::EKS::Cluster",), paths("ResourcesVpcConfig.SecurityGroupIds"), SG),
    # in_subnet
    Link("in_subnet", ("aws_instance", "aws_network_interface", "aws_nat_gateway"), paths("subnet_id"), SUBNET),
    Link("in_subnet", ("aws_db_subnet_group", "aws_elasticache_subnet_group"), paths("subnet_ids"), SUBNET),
    Link("in_subnet", ("aws_lb", "aws_alb", "aws_elb"), paths("subnets", "subnet_mapping.subnet_id"), SUBNET),
    Link("in_subnet", ("aws_lambda_function",), paths("vpc_config.subnet_ids"), SUBNET),
    Link("in_subnet", ("aws_ecs_service",), paths("network_configuration.subnets"), SUBNET),
    Link("in_subnet", ("aws_eks_cluster",), paths("vpc_config.subnet_ids"), SUBNET),
    Link("in_subnet", ("aws_autoscaling_group",), paths("vpc_zone_identifier"), SUBNET),
    Link("in_subnet", ("AWS::EC2::Instance",), paths("SubnetId", "NetworkInterfaces.SubnetId"), SUBNET),
    Link("in_subnet", ("AWS::EC2::NetworkInterface", "AWS::EC2::NatGateway"), paths("SubnetId"), SUBNET),
    Link("in_subnet", ("AWS::RDS::DBSubnetGroup", "AWS::ElastiCache::SubnetGroup"), paths("SubnetIds"), SUBNET),
    Link("in_subnet", ("AWS::ElasticLoadBalancingV2::LoadBalancer",), paths("Subnets", "SubnetMappings.SubnetId"), SUBNET),
    Link("in_subnet", ("AWS::Lambda::Function", "AWS::Serverless::Function"), paths("VpcConfig.SubnetIds"), SUBNET),
    Link("in_subnet", ("AWS::ECS::Service",), paths("NetworkConfiguration.AwsvpcConfiguration.Subnets"), SUBNET),
    Link("in_subnet", ("AWS::EKS::Cluster",), paths("ResourcesVpcConfig.SubnetIds"), SUBNET),
    Link("in_subnet", ("AWS::AutoScaling::AutoScalingGroup",), paths("VPCZoneIdentifier"), SUBNET),
    # in_subnet_group: database / cache -> its subnet group
    Link("in_subnet_group", ("aws_db_instance", "aws_rds_cluster"), paths("db_subnet_group_name"), SUBNET_GROUP),
    Link("in_subnet_group", ("aws_elasticache_cluster", "aws_elasticache_replication_group"), paths("subnet_group_name"), SUBNET_GROUP),
    Link("in_subnet_group", ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster"), paths("DBSubnetGroupName"), SUBNET_GROUP),
    Link("in_subnet_group", ("AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup"), paths("CacheSubnetGroupName"), SUBNET_GROUP),
    # in_vpc
    Link("in_vpc", ("aws_subnet", "aws_security_group", "aws_route_table", "aws_internet_gateway", "aws_egress_only_internet_gateway", "aws_lb_target_group"), paths("vpc_id"), VPC),
    Link("in_vpc", ("AWS::EC2::Subnet", "AWS::EC2::SecurityGroup", "AWS::EC2::RouteTable", "AWS::EC2::EgressOnlyInternetGateway", "AWS::ElasticLoadBalancingV2::TargetGroup"), paths("VpcId"), VPC),
    Join("in_vpc", ("AWS::EC2::VPCGatewayAttachment",), paths("InternetGatewayId"), GATEWAY, paths("VpcId"), VPC),
    # route_table_of: subnet -> route table (explicit associations; the main table below)
    Join("route_table_of", ("aws_route_table_association",), paths("subnet_id"), SUBNET, paths("route_table_id"), ROUTE_TABLE),
    Join("route_table_of", ("AWS::EC2::SubnetRouteTableAssociation",), paths("SubnetId"), SUBNET, paths("RouteTableId"), ROUTE_TABLE),
    # routes_to: route table -> internet / NAT / egress-only gateway
    Link("routes_to", ("aws_route_table", "aws_default_route_table"), paths("route.gateway_id", "route.nat_gateway_id", "route.egress_only_gateway_id"), GATEWAY),
    Join("routes_to", ("aws_route",), paths("route_table_id"), ROUTE_TABLE, paths("gateway_id", "nat_gateway_id", "egress_only_gateway_id"), GATEWAY),
    Join("routes_to", ("AWS::EC2::Route",), paths("RouteTableId"), ROUTE_TABLE, paths("GatewayId", "NatGatewayId", "EgressOnlyInternetGatewayId"), GATEWAY),
    # load balancers: listener_of, forwards_to, target_of
    Link("listener_of", LISTENER, paths("load_balancer_arn", "LoadBalancerArn"), LB),
    Link("forwards_to", LISTENER, paths("default_action.target_group_arn", "default_action.forward.target_group.arn", "DefaultActions.TargetGroupArn", "DefaultActions.ForwardConfig.TargetGroups.TargetGroupArn"), TARGET_GROUP),
    Link("forwards_to", LISTENER_RULE, paths("action.target_group_arn", "action.forward.target_group.arn", "Actions.TargetGroupArn", "Actions.ForwardConfig.TargetGroups.TargetGroupArn"), TARGET_GROUP),
    Join("target_of", ("aws_lb_target_group_attachment", "aws_alb_target_group_attachment"), paths("target_id"), TARGETS, paths("target_group_arn"), TARGET_GROUP),
    Link("target_of", ("AWS::ElasticLoadBalancingV2::TargetGroup",), paths("Targets.Id"), TARGETS, reverse=True),
    Link("target_of", ("aws_autoscaling_group",), paths("target_group_arns"), TARGET_GROUP),
    Join("target_of", ("aws_autoscaling_attachment",), paths("autoscaling_group_name"), ("aws_autoscaling_group",), paths("lb_target_group_arn", "alb_target_group_arn"), TARGET_GROUP),
    Link("target_of", ("aws_ecs_service",), paths("load_balancer.target_group_arn"), TARGET_GROUP),
    Link("target_of", ("AWS::AutoScaling::AutoScalingGroup",), paths("TargetGroupARNs"), TARGET_GROUP),
    Link("target_of", ("AWS::ECS::Service",), paths("LoadBalancers.TargetGroupArn"), TARGET_GROUP),
)

_MAIN = ("aws_main_route_table_association",)


def build(graph) -> None:
    draw(graph, ROWS)
    _main_route_tables(graph)


def _main_route_tables(graph) -> None:
    """Terraform subnets with no explicit association use their VPC's main route table: the one
    an `aws_main_route_table_association` names, else its `aws_default_route_table`."""
    main: dict = {}  # vpc id -> [route tables]
    for table in graph.of_type("aws_default_route_table"):
        for vpc in graph.referenced_at(table, (("default_route_table_id",),), VPC):
            main.setdefault(vpc.id, []).append(table)
    for assoc in graph.of_type(*_MAIN):
        tables = graph.referenced_at(assoc, (("route_table_id",),), ROUTE_TABLE)
        for vpc in graph.referenced_at(assoc, (("vpc_id",),), VPC):
            main[vpc.id] = tables  # an explicit main table replaces the default one
    if not main:
        return
    for subnet in graph.of_type("aws_subnet"):
        if graph.related(subnet, "route_table_of"):
            continue
        for vpc in graph.related(subnet, "in_vpc"):
            for table in main.get(vpc.id, ()):
                graph.add_relation(subnet, table, "route_table_of")
