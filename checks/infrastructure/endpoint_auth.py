"""Public endpoints open to anyone: AWS-EKS-309 (EKS API endpoint open to the internet),
AWS-LAMBDA-310 (Lambda function URL without authentication), AWS-APIGW-311 (API Gateway method
without authorization or API key)."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding
from iacguard.core.unknown import is_unknown
from iacguard.core.lazy import lazy_module

_network = lazy_module("iacguard.facts.network")  # loaded when the check runs, not when it is listed


def evaluate_eks(facts):
    for cluster in facts.of_kind("eks_cluster"):
        public, cidrs = cluster.public_endpoint, cluster.public_cidrs
        if public.is_false():
            continue
        if not public.known:
            yield undecided(EKS.id, cluster.resource, "endpoint public access", public.value, public.location)
            continue
        if not cidrs.known:
            yield undecided(EKS.id, cluster.resource, "public access CIDRs", cidrs.value, cidrs.location)
            continue
        values = cidrs.value if isinstance(cidrs.value, (list, tuple)) else [cidrs.value]
        worlds = [_network.Source(c.strip() if isinstance(c, str) else c, cidrs.location) for c in values]
        open_ = [s for s in worlds if s.is_world() is True]
        unknown = next((s for s in worlds if is_unknown(s.is_world())), None)
        if open_:
            how = "by default" if not cidrs.explicit else "from %s" % open_[0].cidr
            yield Finding(EKS.id, cluster.resource, "EKS cluster %s exposes its Kubernetes API endpoint to the internet (%s)." % (cluster.resource.address, how), cidrs.location if cidrs.explicit else public.location)
        elif unknown is not None:
            yield undecided(EKS.id, cluster.resource, "public access CIDRs", unknown.cidr, cidrs.location)


EKS = Check(
    id="AWS-EKS-309",
    title="EKS cluster API endpoint is public and open to the internet",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-284",),
    kinds=("eks_cluster",),
    evaluate=evaluate_eks,
    what="""Finds EKS clusters (`aws_eks_cluster`, `AWS::EKS::Cluster`) whose public API endpoint is
on (`endpoint_public_access` / `EndpointPublicAccess`, true by default) and admits `0.0.0.0/0` or
`::/0` (`public_access_cidrs` / `PublicAccessCidrs`, `0.0.0.0/0` by default). A public endpoint
limited to known ranges, or a private-only endpoint, passes.""",
    why="""The Kubernetes API server controls the whole cluster. Open to the internet it is
exposed to credential stuffing, leaked kubeconfig tokens and API server vulnerabilities from
anywhere; restricting it to the operators' ranges, or making it private, removes that exposure.""",
    fix_terraform="""```hcl
resource "aws_eks_cluster" "main" {
  # ...
  vpc_config {
    subnet_ids              = var.private_subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}
```""",
    fix_cloudformation="""```yaml
ResourcesVpcConfig:
  SubnetIds: !Ref PrivateSubnetIds
  EndpointPrivateAccess: true
  EndpointPublicAccess: true
  PublicAccessCidrs:
    - 203.0.113.0/24
```""",
    references=("https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",),
    equivalents=(("checkov", "CKV_AWS_38"), ("checkov", "CKV_AWS_39"), ("trivy", "AVD-AWS-0040"), ("trivy", "AVD-AWS-0041")),
)


def evaluate_url(facts):
    for url in facts.of_kind("function_url"):
        auth = url.auth_type
        if auth.value == "none":
            yield Finding(URL.id, url.resource, "Lambda function URL %s has auth type NONE: anyone on the internet can invoke the function." % url.resource.address, auth.location)
        elif not auth.known:
            yield undecided(URL.id, url.resource, "auth type", auth.value, auth.location)


URL = Check(
    id="AWS-LAMBDA-310",
    title="Lambda function URL does not require authentication",
    severity="high",
    pillar="infrastructure",
    cwe=("CWE-306",),
    kinds=("function_url",),
    evaluate=evaluate_url,
    what="""Finds Lambda function URLs (`aws_lambda_function_url`, `AWS::Lambda::Url`) whose auth
type (`authorization_type` / `AuthType`) is `NONE`.""",
    why="""With auth type NONE, the URL is a public HTTPS endpoint: anyone who finds it can invoke
the function, run up its cost and reach whatever its role can. Use `AWS_IAM` and sign requests
(or put CloudFront with origin access control in front); if the function must be public, it has
to authenticate callers itself.""",
    fix_terraform="""```hcl
resource "aws_lambda_function_url" "api" {
  function_name      = aws_lambda_function.api.function_name
  authorization_type = "AWS_IAM"
}
```""",
    fix_cloudformation="""```yaml
ApiUrl:
  Type: AWS::Lambda::Url
  Properties:
    TargetFunctionArn: !GetAtt ApiFunction.Arn
    AuthType: AWS_IAM
```""",
    references=("https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",),
    equivalents=(("checkov", "CKV_AWS_258"),),
)


def evaluate_method(facts):
    for method in facts.of_kind("api_method"):
        auth, key, verb = method.authorization, method.api_key_required, method.http_method
        if auth.known and auth.value != "none":
            continue
        if key.is_true():
            continue  # an API key is asked for
        if isinstance(verb.value, str) and verb.value.strip().upper() == "OPTIONS":
            continue  # CORS preflight: browsers send it without credentials
        unknown = next((a for a, name in ((auth, "authorization"), (key, "API key required"), (verb, "HTTP method")) if not a.known), None)
        if unknown is not None:
            name = "authorization" if unknown is auth else "API key required" if unknown is key else "HTTP method"
            yield undecided(METHOD.id, method.resource, name, unknown.value, unknown.location)
            continue
        yield Finding(METHOD.id, method.resource, "API Gateway method %s (%s) has no authorization and requires no API key." % (method.resource.address, verb.value), auth.location)


METHOD = Check(
    id="AWS-APIGW-311",
    title="API Gateway method has no authorization and no API key",
    severity="medium",
    pillar="infrastructure",
    cwe=("CWE-306",),
    kinds=("api_method",),
    evaluate=evaluate_method,
    what="""Finds REST API methods (`aws_api_gateway_method`, `AWS::ApiGateway::Method`) whose
authorization (`authorization` / `AuthorizationType`, `NONE` by default in CloudFormation) is
`NONE` and that do not require an API key (`api_key_required` / `ApiKeyRequired`). `OPTIONS`
methods are not reported: CORS preflight requests carry no credentials.""",
    why="""A method without an authorizer, IAM authorization or even an API key can be called by
anyone on the internet, reaching the Lambda function or backend behind it. Public methods do
exist; mark them deliberately (a usage plan with an API key at least), and let everything else
require IAM, Cognito or a Lambda authorizer.""",
    fix_terraform="""```hcl
resource "aws_api_gateway_method" "get_orders" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "GET"
  authorization = "COGNITO_USER_POOLS"
  authorizer_id = aws_api_gateway_authorizer.users.id
}
```""",
    fix_cloudformation="""```yaml
GetOrders:
  Type: AWS::ApiGateway::Method
  Properties:
    RestApiId: !Ref Api
    ResourceId: !Ref OrdersResource
    HttpMethod: GET
    AuthorizationType: AWS_IAM
```""",
    references=("https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",),
    equivalents=(("checkov", "CKV_AWS_59"), ("trivy", "AVD-AWS-0004"), ("cfn_nag", "W59")),
)
