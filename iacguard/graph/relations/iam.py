"""IAM relations: compute -> the role it runs as ("attached_role", through an instance profile
where there is one), role / user / group -> the policies attached to it or written inline
("attached_policy", a managed policy only when it is in the scan), user -> group ("member_of")."""
from __future__ import annotations

from .common import Join, Link, draw, paths

ROLE = ("aws_iam_role", "AWS::IAM::Role")
USER = ("aws_iam_user", "AWS::IAM::User")
GROUP = ("aws_iam_group", "AWS::IAM::Group")
PROFILE = ("aws_iam_instance_profile", "AWS::IAM::InstanceProfile")
POLICY = ("aws_iam_policy", "AWS::IAM::ManagedPolicy")
PRINCIPALS = ROLE + USER + GROUP

ROWS = (
    # attached_role: instance profile -> role, compute -> role (profiles joined in `build`)
    Link("attached_role", ("aws_iam_instance_profile",), paths("role", "roles"), ROLE),
    Link("attached_role", ("AWS::IAM::InstanceProfile",), paths("Roles"), ROLE),
    Link("attached_role", ("aws_lambda_function",), paths("role"), ROLE),
    Link("attached_role", ("aws_ecs_task_definition",), paths("task_role_arn"), ROLE),
    Link("attached_role", ("aws_eks_node_group",), paths("node_role_arn"), ROLE),
    Link("attached_role", ("aws_eks_cluster", "aws_sfn_state_machine"), paths("role_arn"), ROLE),
    Link("attached_role", ("aws_codebuild_project",), paths("service_role"), ROLE),
    Link("attached_role", ("AWS::Lambda::Function", "AWS::Serverless::Function"), paths("Role"), ROLE),
    Link("attached_role", ("AWS::ECS::TaskDefinition",), paths("TaskRoleArn"), ROLE),
    Link("attached_role", ("AWS::EKS::Nodegroup",), paths("NodeRole"), ROLE),
    Link("attached_role", ("AWS::EKS::Cluster", "AWS::StepFunctions::StateMachine"), paths("RoleArn"), ROLE),
    Link("attached_role", ("AWS::CodeBuild::Project",), paths("ServiceRole"), ROLE),
    # attached_policy: principal -> managed policy (attachments, managed_policy_arns)
    Join("attached_policy", ("aws_iam_role_policy_attachment",), paths("role"), ROLE, paths("policy_arn"), POLICY),
    Join("attached_policy", ("aws_iam_user_policy_attachment",), paths("user"), USER, paths("policy_arn"), POLICY),
    Join("attached_policy", ("aws_iam_group_policy_attachment",), paths("group"), GROUP, paths("policy_arn"), POLICY),
    Join("attached_policy", ("aws_iam_policy_attachment",), paths("roles", "users", "groups"), PRINCIPALS, paths("policy_arn"), POLICY),
    Link("attached_policy", ("aws_iam_role", "aws_iam_user", "aws_iam_group"), paths("managed_policy_arns"), POLICY),
    Link("attached_policy", ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"), paths("ManagedPolicyArns"), POLICY),
    Link("attached_policy", ("AWS::IAM::ManagedPolicy",), paths("Roles", "Users", "Groups"), PRINCIPALS, reverse=True),
    # attached_policy: principal -> its inline policy resource
    Link("attached_policy", ("aws_iam_role_policy",), paths("role"), ROLE, reverse=True),
    Link("attached_policy", ("aws_iam_user_policy",), paths("user"), USER, reverse=True),
    Link("attached_policy", ("aws_iam_group_policy",), paths("group"), GROUP, reverse=True),
    Link("attached_policy", ("AWS::IAM::Policy",), paths("Roles", "Users", "Groups"), PRINCIPALS, reverse=True),
    Link("attached_policy", ("AWS::IAM::RolePolicy",), paths("RoleName"), ROLE, reverse=True),
    Link("attached_policy", ("AWS::IAM::UserPolicy",), paths("UserName"), USER, reverse=True),
    Link("attached_policy", ("AWS::IAM::GroupPolicy",), paths("GroupName"), GROUP, reverse=True),
    # member_of: user -> group
    Join("member_of", ("aws_iam_group_membership",), paths("users"), USER, paths("group"), GROUP),
    Join("member_of", ("aws_iam_user_group_membership",), paths("user"), USER, paths("groups"), GROUP),
    Link("member_of", ("AWS::IAM::User",), paths("Groups"), GROUP),
    Join("member_of", ("AWS::IAM::UserToGroupAddition",), paths("Users"), USER, paths("GroupName"), GROUP),
)

# Compute that runs with the role of an instance profile it names.
_WITH_PROFILE = (
    ("aws_instance", paths("iam_instance_profile")),
    ("aws_launch_template", paths("iam_instance_profile.name", "iam_instance_profile.arn")),
    ("aws_launch_configuration", paths("iam_instance_profile")),
    ("AWS::EC2::Instance", paths("IamInstanceProfile")),
    ("AWS::EC2::LaunchTemplate", paths("LaunchTemplateData.IamInstanceProfile")),
    ("AWS::AutoScaling::LaunchConfiguration", paths("IamInstanceProfile")),
)


def build(graph) -> None:
    draw(graph, ROWS)
    for type_, at in _WITH_PROFILE:
        for res in graph.of_type(type_):
            for profile in graph.referenced_at(res, at, PROFILE):
                for role in graph.related(profile, "attached_role"):
                    graph.add_relation(res, role, "attached_role")
