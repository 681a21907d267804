"""The AWS SAM transform (`AWS::Serverless-2016-10-31`), done offline on raw template data.

Owns turning `AWS::Serverless::*` declarations into the CloudFormation resources SAM deploys,
with SAM's logical-id naming (`MyFunctionRole`, `ServerlessRestApi`, `MyApiProdStage`), and
applying `Globals`. Generated resources keep the SAM resource's location and name it in
`sam_source`; their properties point at the SAM property they came from where one exists.

Coverage is what matters for security checks (roles and their policies, API endpoints and
authorization, encryption, logging, tracing, public function URLs), not byte-for-byte SAM output:
logical ids that SAM suffixes with a content hash (Deployment, LayerVersion, Version) are left
without the hash, and SAM policy templates are expanded from SAM's own template data.
"""
from __future__ import annotations

import json
from functools import lru_cache

from .resource_decl import ResourceDecl
from .intrinsics import is_intrinsic
from iacguard.core.paths import package_text
from iacguard.core.unknown import Unknown

_GLOBAL_SECTIONS = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::SimpleTable": "SimpleTable",
    "AWS::Serverless::StateMachine": "StateMachine",
    "AWS::Serverless::LayerVersion": "LayerVersion",
}

_LAMBDA_PASSTHROUGH = (
    "Handler", "Runtime", "MemorySize", "Timeout", "Environment", "VpcConfig", "KmsKeyArn", "Layers",
    "ReservedConcurrentExecutions", "Description", "FunctionName", "Architectures", "EphemeralStorage",
    "FileSystemConfigs", "ImageConfig", "CodeSigningConfigArn", "SnapStart", "LoggingConfig",
    "RuntimeManagementConfig", "PackageType", "RecursiveLoop",
)


def _sub(text: str, **variables) -> dict:
    return {"Fn::Sub": [text, variables]} if variables else {"Fn::Sub": text}


def _aws_managed(name: str) -> dict:
    return _sub("arn:${AWS::Partition}:iam::aws:policy/" + name)


def _assume_role(service: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": [service]}}],
    }


def _tags_list(tags, created_by: str | None) -> list | None:
    """SAM takes tags as a mapping; most CloudFormation resources want [{Key, Value}]."""
    items = []
    if isinstance(tags, dict) and not is_intrinsic(tags):
        items = [{"Key": k, "Value": v} for k, v in tags.items()]
    if created_by:
        items.append({"Key": created_by, "Value": "SAM"})
    return items or None


def _prune(value):
    """Generated structures leave out properties SAM was not given (None)."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _merge_global(g, r):
    """SAM Globals: mappings merge (the resource wins), lists concatenate, scalars are replaced."""
    if isinstance(g, dict) and isinstance(r, dict) and not is_intrinsic(g) and not is_intrinsic(r):
        out = dict(g)
        for k, v in r.items():
            out[k] = _merge_global(g[k], v) if k in g else v
        return out
    if isinstance(g, list) and isinstance(r, list):
        return g + r
    return r


# -- SAM policy templates ------------------------------------------------------------------------
# Every template SAM defines, from SAM's own data (data/sam_policy_templates.json, written by
# scripts/update_iam_data.py): its statements with each parameter Ref replaced by the value given.
# A parameter not given stays an Unknown in the statement; a template name SAM does not define
# keeps an Unknown document (named in meta) rather than a guess.


def _statement(actions, resources) -> dict:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resources}


@lru_cache(maxsize=1)
def _templates() -> dict:
    return json.loads(package_text(__file__, "data", "sam_policy_templates.json"))["templates"]


def _policy_template(name: str, params) -> list | None:
    template = _templates().get(name) if isinstance(name, str) else None
    if template is None:
        return None
    given = params if isinstance(params, dict) and not is_intrinsic(params) else {}
    names = set(template["Parameters"])

    def substitute(value):
        # The data is SAM's, small and acyclic: a plain recursive copy.
        if isinstance(value, dict):
            if len(value) == 1 and value.get("Ref") in names:
                key = value["Ref"]
                return given[key] if key in given else Unknown("policy template parameter %s not given" % key)
            return {k: substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [substitute(v) for v in value]
        return value

    statements = substitute(template["Definition"]).get("Statement")
    return statements if isinstance(statements, list) else [statements]


# -- the transform -------------------------------------------------------------------------------


class _Placeholder:
    """Where an explicit API's resources go, once the function events have named its paths."""

    __slots__ = ()


class _Expansion:
    def __init__(self, data: dict, decls: list) -> None:
        self.data = data
        self.decls = decls
        self.out: list = []
        self.warnings: list = []
        self.globals = data.get("Globals") if isinstance(data.get("Globals"), dict) else {}
        self.by_id = {d.logical_id: d for d in decls}
        # Paths and methods of API events, per API logical id, in order of appearance.
        self.api_paths: dict = {}
        self.implicit: dict = {}  # implicit API logical id -> the declaration that created it
        self.taken = set(self.by_id)
        # SAM's referable properties ("MyFunction.Alias", "MyApi.Stage"): the logical id of the
        # generated resource, or None when SAM generates it but this expansion does not.
        self.referable: dict = {}

    def refer(self, sam_id: str, prop: str, logical_id: str | None) -> None:
        if logical_id is not None or sam_id + "." + prop not in self.referable:
            self.referable[sam_id + "." + prop] = logical_id

    # Properties of a SAM resource after Globals, with the template path each came from.
    def props(self, decl: ResourceDecl) -> tuple[dict, dict]:
        raw = decl.properties if isinstance(decl.properties, dict) and not is_intrinsic(decl.properties) else {}
        section = _GLOBAL_SECTIONS.get(decl.type)
        glob = self.globals.get(section) if section else None
        src = {k: decl.source_of(k) for k in raw}
        if isinstance(glob, dict):
            merged = {}
            for k, v in glob.items():
                merged[k] = _merge_global(v, raw[k]) if k in raw else v
                if k not in raw:
                    src[k] = ("Globals", section, k)
            for k, v in raw.items():
                if k not in merged:
                    merged[k] = v
            return merged, src
        return dict(raw), src

    def emit(self, sam: ResourceDecl, logical_id: str, rtype: str, properties: dict, src: dict | None = None,
             main: bool = False, **meta) -> ResourceDecl:
        decl = ResourceDecl(
            logical_id=logical_id,
            type=rtype,
            properties=_prune(properties),
            span_path=sam.span_path,
            properties_src=None,
            property_src={k: v for k, v in (src or {}).items() if v is not None},
            condition=sam.condition,
            depends_on=list(sam.depends_on) if main else [],
            metadata=sam.metadata if main else None,
            attributes=dict(sam.attributes) if main else {},
            sam_source=sam.logical_id,
            extra_meta=meta,
        )
        if logical_id in self.by_id and self.by_id[logical_id] is not sam:
            self.warnings.append((sam.span_path, "SAM resource %s generates %s, which the template also declares"
                                  % (sam.logical_id, logical_id)))
        self.out.append(decl)
        return decl

    def run(self) -> tuple[list, list]:
        handlers = {
            "AWS::Serverless::Function": self.function,
            "AWS::Serverless::Api": self.api,
            "AWS::Serverless::HttpApi": self.http_api,
            "AWS::Serverless::SimpleTable": self.simple_table,
            "AWS::Serverless::StateMachine": self.state_machine,
            "AWS::Serverless::LayerVersion": self.layer_version,
            "AWS::Serverless::Application": self.application,
        }
        # Explicit APIs are generated after the functions so that their event paths are known.
        # Each is replaced, in place, by what it generates: a placeholder is found by identity,
        # since an earlier replacement shifts the positions of the later ones.
        deferred = []
        for decl in self.decls:
            handler = handlers.get(decl.type)
            if handler is None:
                if decl.type.startswith("AWS::Serverless::"):
                    self.warnings.append((decl.span_path, "SAM resource type %s is not expanded" % decl.type))
                self.out.append(decl)
            elif decl.type in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
                placeholder = _Placeholder()
                deferred.append((placeholder, decl, handler))
                self.out.append(placeholder)
            else:
                handler(decl)
        generated: dict = {}
        for placeholder, decl, handler in deferred:
            start = len(self.out)
            handler(decl)
            generated[id(placeholder)] = self.out[start:]
            del self.out[start:]
        out: list = []
        for item in self.out:
            if isinstance(item, _Placeholder):
                out.extend(generated.get(id(item), ()))
            else:
                out.append(item)
        self.out = out
        for api_id, (sam, kind) in self.implicit.items():
            self.implicit_api(api_id, sam, kind)
        return list(self.out), self.warnings, self.referable

    # -- functions -----------------------------------------------------------------------------

    def function(self, sam: ResourceDecl) -> None:
        fid = sam.logical_id
        p, src = self.props(sam)
        props: dict = {}
        psrc: dict = {}
        for key in _LAMBDA_PASSTHROUGH:
            if key in p:
                props[key] = p[key]
                psrc[key] = src.get(key)
        if "InlineCode" in p:
            props["Code"] = {"ZipFile": p["InlineCode"]}
            psrc["Code"] = src.get("InlineCode")
        elif "ImageUri" in p:
            props["Code"] = {"ImageUri": p["ImageUri"]}
            psrc["Code"] = src.get("ImageUri")
        elif "CodeUri" in p:
            props["Code"] = _code_location(p["CodeUri"], "S3Bucket", "S3Key", "S3ObjectVersion")
            psrc["Code"] = src.get("CodeUri")
        if "Tracing" in p:
            props["TracingConfig"] = {"Mode": p["Tracing"]}
            psrc["TracingConfig"] = src.get("Tracing")
        dlq = p.get("DeadLetterQueue")
        if isinstance(dlq, dict) and "TargetArn" in dlq:
            props["DeadLetterConfig"] = {"TargetArn": dlq["TargetArn"]}
            psrc["DeadLetterConfig"] = src.get("DeadLetterQueue")
        tags = _tags_list(p.get("Tags"), "lambda:createdBy")
        props["Tags"] = tags
        psrc["Tags"] = src.get("Tags")
        events = p.get("Events") if isinstance(p.get("Events"), dict) else {}
        if "Role" in p:
            props["Role"] = p["Role"]
            psrc["Role"] = src.get("Role")
        else:
            props["Role"] = {"Fn::GetAtt": [fid + "Role", "Arn"]}
        self.emit(sam, fid, "AWS::Lambda::Function", props, psrc, main=True)

        if "Role" not in p:
            managed = [_aws_managed("service-role/AWSLambdaBasicExecutionRole")]
            if p.get("Tracing") == "Active":
                managed.append(_aws_managed("AWSXrayWriteOnlyAccess"))
            if "VpcConfig" in p:
                managed.append(_aws_managed("service-role/AWSLambdaVPCAccessExecutionRole"))
            for event in events.values():
                etype = event.get("Type") if isinstance(event, dict) else None
                policy = {"SQS": "service-role/AWSLambdaSQSQueueExecutionRole",
                          "Kinesis": "service-role/AWSLambdaKinesisExecutionRole",
                          "DynamoDB": "service-role/AWSLambdaDynamoDBExecutionRole",
                          "MSK": "service-role/AWSLambdaMSKExecutionRole"}.get(etype)
                if policy and _aws_managed(policy) not in managed:
                    managed.append(_aws_managed(policy))
            extra_statements = []
            if isinstance(dlq, dict) and "TargetArn" in dlq:
                action = "sns:Publish" if dlq.get("Type") == "SNS" else "sqs:SendMessage"
                extra_statements.append(_statement([action], dlq["TargetArn"]))
            self.role(sam, fid + "Role", "lambda.amazonaws.com", p, src, managed, extra_statements, tags)

        for name, event in events.items():
            if isinstance(event, dict):
                self.function_event(sam, fid, name, event, p)

        url = p.get("FunctionUrlConfig")
        if isinstance(url, dict):
            self.emit(sam, fid + "Url", "AWS::Lambda::Url", {
                "AuthType": url.get("AuthType"), "Cors": url.get("Cors"), "InvokeMode": url.get("InvokeMode"),
                "TargetFunctionArn": {"Ref": fid},
            }, {"AuthType": _child(src.get("FunctionUrlConfig"), "AuthType"),
                "Cors": _child(src.get("FunctionUrlConfig"), "Cors")})
            if url.get("AuthType") == "NONE":
                self.emit(sam, fid + "UrlPublicPermissions", "AWS::Lambda::Permission", {
                    "Action": "lambda:InvokeFunctionUrl", "FunctionName": {"Ref": fid},
                    "FunctionUrlAuthType": "NONE", "Principal": "*",
                })
        alias = p.get("AutoPublishAlias")
        if isinstance(alias, str):
            self.emit(sam, fid + "Version", "AWS::Lambda::Version", {"FunctionName": {"Ref": fid}})
            self.emit(sam, fid + "Alias" + alias, "AWS::Lambda::Alias", {
                "Name": alias, "FunctionName": {"Ref": fid},
                "FunctionVersion": {"Fn::GetAtt": [fid + "Version", "Version"]},
            })
            self.refer(fid, "Version", fid + "Version")
            self.refer(fid, "Alias", fid + "Alias" + alias)
        elif alias is not None:
            # An alias named by an intrinsic: SAM generates it, under a name not known here.
            self.refer(fid, "Version", None)
            self.refer(fid, "Alias", None)
        invoke = p.get("EventInvokeConfig")
        if isinstance(invoke, dict):
            # Destinations of type SQS/SNS without an ARN make SAM create the queue or topic.
            self.refer(fid, "DestinationTopic", None)
            self.refer(fid, "DestinationQueue", None)

    def role(self, sam, role_id, service, p, src, managed, extra_statements, tags) -> None:
        inline = []
        templates = []
        where: dict = {}  # generated item path -> the SAM Policies item it came from
        policies = p.get("Policies")
        policies_src = src.get("Policies")
        if policies is not None and not isinstance(policies, list):
            policies = [policies]
        conditional = []  # inline policies under Fn::If go last: a removed one shifts no other
        # Indexes (in the role's Policies) of the inline policies that are SAM policy templates:
        # AWS's text. One under Fn::If is known only while no conditional before it can vanish.
        generated = []
        conditional_generated = []
        removable = False
        for index, item in enumerate(policies or ()):
            item_src = policies_src + (index,) if policies_src and isinstance(p.get("Policies"), list) else policies_src
            if _is_fn_if(item):
                # SAM types the branches: policy documents and templates become an inline policy
                # under the same Fn::If; managed policy names become ARNs (AWS::NoValue stays).
                condition, *branches = item["Fn::If"]
                kinds = {_policy_kind(b) for b in branches} - {"none"}
                if kinds and kinds <= {"document", "template"}:
                    name = "%sPolicy%d" % (role_id, index)
                    if kinds == {"template"} and not removable:
                        conditional_generated.append(len(conditional))
                    removable = removable or "none" in {_policy_kind(b) for b in branches}
                    converted = [b if _policy_kind(b) == "none" else
                                 {"PolicyName": name, "PolicyDocument": self._policy_document(b, templates)}
                                 for b in branches]
                    conditional.append(({"Fn::If": [condition] + converted}, item_src))
                    continue
                if kinds == {"managed"}:
                    item = {"Fn::If": [condition] + [_managed_arn(b) for b in branches]}
            if isinstance(item, str) or is_intrinsic(item):
                where[("ManagedPolicyArns", len(managed))] = item_src
                managed.append(_managed_arn(item))
                continue
            where[("Policies", len(inline))] = item_src
            if isinstance(item, dict) and "Statement" in item:
                where[("Policies", len(inline), "PolicyDocument")] = item_src
                inline.append({"PolicyName": "%sPolicy%d" % (role_id, len(inline)), "PolicyDocument": item})
            elif isinstance(item, dict) and len(item) == 1:
                generated.append(len(inline))
                inline.append({"PolicyName": "%sPolicy%d" % (role_id, len(inline)),
                               "PolicyDocument": self._policy_document(item, templates)})
        generated.extend(len(inline) + i for i in conditional_generated)
        for item, item_src in conditional:
            where[("Policies", len(inline))] = item_src
            where[("Policies", len(inline), "PolicyDocument")] = item_src
            inline.append(item)
        if extra_statements:
            inline.append({"PolicyName": "%sPolicy%d" % (role_id, len(inline)),
                           "PolicyDocument": {"Version": "2012-10-17", "Statement": extra_statements}})
        props = {
            "AssumeRolePolicyDocument": p.get("AssumeRolePolicyDocument") or _assume_role(service),
            "ManagedPolicyArns": managed or None,
            "Policies": inline or None,
            "PermissionsBoundary": p.get("PermissionsBoundary"),
            "Path": p.get("RolePath"),
            "Tags": tags,
        }
        psrc = {"PermissionsBoundary": src.get("PermissionsBoundary"),
                "AssumeRolePolicyDocument": src.get("AssumeRolePolicyDocument"), "Path": src.get("RolePath")}
        meta = {"sam_policy_templates": templates, "sam_template_policies": tuple(generated)} if templates else {}
        decl = self.emit(sam, role_id, "AWS::IAM::Role", props, psrc, **meta)
        decl.location_src = {k: v for k, v in where.items() if v is not None}

    @staticmethod
    def _policy_document(item: dict, templates: list):
        """A policy document as written, or the statements of a SAM policy template."""
        if "Statement" in item:
            return item
        name, params = next(iter(item.items()))
        templates.append(name)
        statements = _policy_template(name, params)
        return ({"Version": "2012-10-17", "Statement": statements} if statements is not None
                else Unknown("SAM policy template %s is not expanded" % name))

    def function_event(self, sam, fid, name, event, p) -> None:
        etype = event.get("Type")
        ep = event.get("Properties") if isinstance(event.get("Properties"), dict) else {}
        target = {"Fn::GetAtt": [fid, "Arn"]}
        if etype in ("Api", "HttpApi"):
            self.api_event(sam, fid, name, etype, ep, _sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations",
                **{"Fn.Arn": target}))
            return
        permission_principal = None
        if etype in ("SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB"):
            props = {k: v for k, v in ep.items() if k not in ("Queue", "Stream", "Broker", "Cluster")}
            props["EventSourceArn"] = ep.get("Queue") or ep.get("Stream") or ep.get("Broker") or ep.get("Cluster")
            props["FunctionName"] = {"Ref": fid}
            self.emit(sam, fid + name, "AWS::Lambda::EventSourceMapping", props)
        elif etype == "SNS":
            self.emit(sam, fid + name, "AWS::SNS::Subscription", {
                "Endpoint": target, "Protocol": "lambda", "TopicArn": ep.get("Topic"),
                "FilterPolicy": ep.get("FilterPolicy"), "Region": ep.get("Region"),
            })
            permission_principal = "sns.amazonaws.com"
        elif etype in ("Schedule", "CloudWatchEvent", "EventBridgeRule"):
            enabled = ep.get("Enabled")
            state = ep.get("State") or ("DISABLED" if enabled is False else None)
            self.emit(sam, fid + name, "AWS::Events::Rule", {
                "ScheduleExpression": ep.get("Schedule"), "EventPattern": ep.get("Pattern"),
                "EventBusName": ep.get("EventBusName"), "State": state, "Description": ep.get("Description"),
                "Targets": [{"Arn": target, "Id": fid + name + "LambdaTarget", "Input": ep.get("Input")}],
            })
            permission_principal = "events.amazonaws.com"
        elif etype == "ScheduleV2":
            self.schedule_v2(sam, fid + name, ep, target, "lambda:InvokeFunction", "LambdaPolicy")
        elif etype == "CloudWatchLogs":
            self.emit(sam, fid + name, "AWS::Logs::SubscriptionFilter", {
                "LogGroupName": ep.get("LogGroupName"), "FilterPattern": ep.get("FilterPattern"),
                "DestinationArn": target,
            })
            permission_principal = "logs.amazonaws.com"
        elif etype == "S3":
            permission_principal = "s3.amazonaws.com"
        elif etype == "IoTRule":
            self.emit(sam, fid + name, "AWS::IoT::TopicRule", {"TopicRulePayload": {
                "Sql": ep.get("Sql"), "AwsIotSqlVersion": ep.get("AwsIotSqlVersion"),
                "Actions": [{"Lambda": {"FunctionArn": target}}], "RuleDisabled": False}})
            permission_principal = "iot.amazonaws.com"
        elif etype == "Cognito":
            permission_principal = "cognito-idp.amazonaws.com"
        elif etype == "AlexaSkill":
            permission_principal = "alexa-appkit.amazon.com"
        else:
            self.warnings.append((sam.span_path, "SAM event type %s of %s is not expanded" % (etype, fid)))
        if permission_principal:
            self.emit(sam, fid + name + "Permission", "AWS::Lambda::Permission", {
                "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": fid}, "Principal": permission_principal,
            })

    def schedule_v2(self, sam, event_id, ep, target, action, policy_suffix) -> None:
        """An EventBridge Scheduler schedule and, unless `RoleArn` is given, its execution role."""
        role_arn = ep.get("RoleArn")
        if role_arn is None:
            role_id = event_id + "Role"
            statements = [{"Action": action, "Effect": "Allow", "Resource": target}]
            policies = [{"PolicyName": event_id + policy_suffix, "PolicyDocument": {"Statement": statements}}]
            dlq = ep.get("DeadLetterConfig")
            if isinstance(dlq, dict) and dlq.get("Arn") is not None:
                policies.append({"PolicyName": event_id + "SQSPolicy", "PolicyDocument": {"Statement": [
                    {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": dlq["Arn"]}]}})
            self.emit(sam, role_id, "AWS::IAM::Role", {
                "AssumeRolePolicyDocument": _assume_role("scheduler.amazonaws.com"),
                "Policies": policies, "PermissionsBoundary": ep.get("PermissionsBoundary"),
            })
            role_arn = {"Fn::GetAtt": [role_id, "Arn"]}
        flexible = ep.get("FlexibleTimeWindow")
        self.emit(sam, event_id, "AWS::Scheduler::Schedule", {
            "Name": ep.get("Name"), "Description": ep.get("Description"), "GroupName": ep.get("GroupName"),
            "ScheduleExpression": ep.get("ScheduleExpression"),
            "ScheduleExpressionTimezone": ep.get("ScheduleExpressionTimezone"),
            "StartDate": ep.get("StartDate"), "EndDate": ep.get("EndDate"), "State": ep.get("State"),
            "KmsKeyArn": ep.get("KmsKeyArn"),
            "FlexibleTimeWindow": flexible if flexible is not None else {"Mode": "OFF"},
            "Target": {"Arn": target, "RoleArn": role_arn, "Input": ep.get("Input"),
                       "RetryPolicy": ep.get("RetryPolicy")},
        })

    def api_event(self, sam, owner_id, name, etype, ep, integration_uri) -> None:
        api_ref = ep.get("RestApiId") if etype == "Api" else ep.get("ApiId")
        if isinstance(api_ref, dict) and isinstance(api_ref.get("Ref"), str):
            api_id = api_ref["Ref"]
        elif isinstance(api_ref, str):
            api_id = api_ref
        else:
            api_id = "ServerlessRestApi" if etype == "Api" else "ServerlessHttpApi"
            self.implicit.setdefault(api_id, (sam, etype))
        method = ep.get("Method", "any" if etype == "HttpApi" else None)
        path = ep.get("Path", "$default" if etype == "HttpApi" and "Method" not in ep else None)
        if isinstance(method, str) and isinstance(path, str):
            method = method.lower()
            operation = {"x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST", "uri": integration_uri,
                **({"payloadFormatVersion": ep.get("PayloadFormatVersion", "2.0")} if etype == "HttpApi" else {}),
            }, "responses": {}}
            auth = ep.get("Auth")
            if isinstance(auth, dict):
                operation["x-iacguard-sam-auth"] = auth
            key = "x-amazon-apigateway-any-method" if method == "any" else method
            self.api_paths.setdefault(api_id, {}).setdefault(path, {})[key] = operation
        if owner_id in self.by_id and self.by_id[owner_id].type == "AWS::Serverless::Function":
            suffix = "Permission" + ("Prod" if api_id == "ServerlessRestApi" else "")
            self.emit(sam, owner_id + name + suffix, "AWS::Lambda::Permission", {
                "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": owner_id},
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": _sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*",
                                  Api={"Ref": api_id}),
            })

    # -- APIs ----------------------------------------------------------------------------------

    def _generated_body(self, api_id: str, etype: str, p: dict) -> dict:
        paths = self.api_paths.get(api_id, {})
        auth = p.get("Auth") if isinstance(p.get("Auth"), dict) else {}
        default_auth = auth.get("DefaultAuthorizer")
        for operations in paths.values():
            for operation in operations.values():
                method_auth = operation.pop("x-iacguard-sam-auth", {})
                authorizer = method_auth.get("Authorizer", default_auth)
                security = []
                if authorizer == "AWS_IAM":
                    operation["x-amazon-apigateway-auth"] = {"type": "AWS_IAM"}
                elif isinstance(authorizer, str) and authorizer != "NONE":
                    security.append({authorizer: []})
                if method_auth.get("ApiKeyRequired", auth.get("ApiKeyRequired")) is True:
                    security.append({"api_key": []})
                if security:
                    operation["security"] = security
        if etype == "HttpApi":
            return {"openapi": "3.0.1", "info": {"version": "1.0", "title": {"Ref": "AWS::StackName"}}, "paths": paths}
        return {"swagger": "2.0", "info": {"version": "1.0", "title": {"Ref": "AWS::StackName"}}, "paths": paths}

    def api(self, sam: ResourceDecl) -> None:
        p, src = self.props(sam)
        self.rest_api(sam, sam.logical_id, p, src, explicit=True)

    def _api_definition(self, api_id, kind, p, src) -> tuple:
        """Name, description and the API definition (inline body, S3 location, or the body SAM
        generates from the functions' events), with their source locations."""
        props: dict = {"Name": p.get("Name"), "Description": p.get("Description")}
        psrc: dict = {"Name": src.get("Name"), "Description": src.get("Description")}
        if "DefinitionBody" in p:
            props["Body"], psrc["Body"] = p["DefinitionBody"], src.get("DefinitionBody")
        elif "DefinitionUri" in p:
            props["BodyS3Location"] = _code_location(p["DefinitionUri"], "Bucket", "Key", "Version")
            psrc["BodyS3Location"] = src.get("DefinitionUri")
        else:
            props["Body"] = self._generated_body(api_id, kind, p)
        return props, psrc

    def rest_api(self, sam, api_id, p, src, explicit) -> None:
        props, psrc = self._api_definition(api_id, "Api", p, src)
        endpoint = p.get("EndpointConfiguration")
        if isinstance(endpoint, dict) and not is_intrinsic(endpoint):
            props["EndpointConfiguration"] = {"Types": [endpoint.get("Type")], "VpcEndpointIds": endpoint.get("VPCEndpointIds")}
        elif endpoint is not None:
            props["EndpointConfiguration"] = {"Types": [endpoint]}
        psrc["EndpointConfiguration"] = src.get("EndpointConfiguration")
        for key in ("BinaryMediaTypes", "MinimumCompressionSize", "ApiKeySourceType", "DisableExecuteApiEndpoint",
                    "Mode", "FailOnWarnings"):
            if key in p:
                props[key], psrc[key] = p[key], src.get(key)
        auth = p.get("Auth") if isinstance(p.get("Auth"), dict) else None
        self.emit(sam, api_id, "AWS::ApiGateway::RestApi", props, psrc, main=explicit,
                  **({"sam_auth": auth} if auth else {}))
        stage_name = p.get("StageName", "Prod")
        stage_id = api_id + (stage_name if isinstance(stage_name, str) else "") + "Stage"
        self.emit(sam, api_id + "Deployment", "AWS::ApiGateway::Deployment",
                  {"RestApiId": {"Ref": api_id}, "Description": "RestApi deployment (generated by SAM)"})
        stage = {"RestApiId": {"Ref": api_id}, "DeploymentId": {"Ref": api_id + "Deployment"}, "StageName": stage_name,
                 "Tags": _tags_list(p.get("Tags"), None)}
        ssrc = {"StageName": src.get("StageName"), "Tags": src.get("Tags")}
        for key in ("MethodSettings", "AccessLogSetting", "TracingEnabled", "CacheClusterEnabled", "CacheClusterSize",
                    "Variables", "CanarySetting"):
            if key in p:
                stage[key], ssrc[key] = p[key], src.get(key)
        self.emit(sam, stage_id, "AWS::ApiGateway::Stage", stage, ssrc)
        self.refer(api_id, "Stage", stage_id)
        self.refer(api_id, "Deployment", api_id + "Deployment")
        for prop in ("DomainName", "DomainNameV2", "UsagePlan", "UsagePlanKey", "ApiKey"):
            self.refer(api_id, prop, None)

    def http_api(self, sam: ResourceDecl) -> None:
        p, src = self.props(sam)
        self.http_api_resources(sam, sam.logical_id, p, src, explicit=True)

    def http_api_resources(self, sam, api_id, p, src, explicit) -> None:
        props, psrc = self._api_definition(api_id, "HttpApi", p, src)
        for key in ("DisableExecuteApiEndpoint", "FailOnWarnings", "CorsConfiguration"):
            if key in p:
                props[key], psrc[key] = p[key], src.get(key)
        auth = p.get("Auth") if isinstance(p.get("Auth"), dict) else None
        self.emit(sam, api_id, "AWS::ApiGatewayV2::Api", props, psrc, main=explicit,
                  **({"sam_auth": auth} if auth else {}))
        stage_name = p.get("StageName")
        stage_id = api_id + (stage_name + "Stage" if isinstance(stage_name, str) else "ApiGatewayDefaultStage")
        stage = {"ApiId": {"Ref": api_id}, "StageName": stage_name if stage_name is not None else "$default",
                 "AutoDeploy": True, "Tags": p.get("Tags")}
        ssrc = {"StageName": src.get("StageName"), "Tags": src.get("Tags")}
        for key, target in (("AccessLogSettings", "AccessLogSettings"), ("DefaultRouteSettings", "DefaultRouteSettings"),
                            ("RouteSettings", "RouteSettings"), ("StageVariables", "StageVariables")):
            if key in p:
                stage[target], ssrc[target] = p[key], src.get(key)
        self.emit(sam, stage_id, "AWS::ApiGatewayV2::Stage", stage, ssrc)
        self.refer(api_id, "Stage", stage_id)
        self.refer(api_id, "DomainName", None)

    def implicit_api(self, api_id: str, sam: ResourceDecl, kind: str) -> None:
        section = "Api" if kind == "Api" else "HttpApi"
        glob = self.globals.get(section) if isinstance(self.globals.get(section), dict) else {}
        src = {k: ("Globals", section, k) for k in glob}
        # The implicit API belongs to no SAM resource's condition or attributes.
        owner = ResourceDecl(sam.logical_id, sam.type, None, sam.span_path)
        if kind == "Api":
            self.rest_api(owner, api_id, dict(glob), src, explicit=False)
        else:
            self.http_api_resources(owner, api_id, dict(glob), src, explicit=False)

    # -- other SAM resources -------------------------------------------------------------------

    def simple_table(self, sam: ResourceDecl) -> None:
        p, src = self.props(sam)
        key = p.get("PrimaryKey") if isinstance(p.get("PrimaryKey"), dict) else {"Name": "id", "Type": "String"}
        key_type = {"String": "S", "Number": "N", "Binary": "B"}.get(key.get("Type"), key.get("Type"))
        props = {
            "TableName": p.get("TableName"),
            "AttributeDefinitions": [{"AttributeName": key.get("Name"), "AttributeType": key_type}],
            "KeySchema": [{"AttributeName": key.get("Name"), "KeyType": "HASH"}],
            "SSESpecification": p.get("SSESpecification"),
            "Tags": _tags_list(p.get("Tags"), None),
        }
        if "ProvisionedThroughput" in p:
            props["ProvisionedThroughput"] = p["ProvisionedThroughput"]
        else:
            props["BillingMode"] = "PAY_PER_REQUEST"
        psrc = {k: src.get(k) for k in ("TableName", "SSESpecification", "Tags", "ProvisionedThroughput")}
        psrc["AttributeDefinitions"] = psrc["KeySchema"] = src.get("PrimaryKey")
        self.emit(sam, sam.logical_id, "AWS::DynamoDB::Table", props, psrc, main=True)

    def state_machine(self, sam: ResourceDecl) -> None:
        sid = sam.logical_id
        p, src = self.props(sam)
        tags = _tags_list(p.get("Tags"), "stateMachine:createdBy")
        props: dict = {
            "Definition": p.get("Definition"), "DefinitionSubstitutions": p.get("DefinitionSubstitutions"),
            "LoggingConfiguration": p.get("Logging"), "TracingConfiguration": p.get("Tracing"),
            "StateMachineName": p.get("Name"), "StateMachineType": p.get("Type"), "Tags": tags,
            "RoleArn": p["Role"] if "Role" in p else {"Fn::GetAtt": [sid + "Role", "Arn"]},
        }
        if "DefinitionUri" in p:
            props["DefinitionS3Location"] = _code_location(p["DefinitionUri"], "Bucket", "Key", "Version")
        psrc = {"Definition": src.get("Definition"), "DefinitionSubstitutions": src.get("DefinitionSubstitutions"),
                "LoggingConfiguration": src.get("Logging"), "TracingConfiguration": src.get("Tracing"),
                "StateMachineName": src.get("Name"), "StateMachineType": src.get("Type"), "Tags": src.get("Tags"),
                "RoleArn": src.get("Role"), "DefinitionS3Location": src.get("DefinitionUri")}
        self.emit(sam, sid, "AWS::StepFunctions::StateMachine", props, psrc, main=True)
        if "Role" not in p:
            self.role(sam, sid + "Role", "states.amazonaws.com", p, src, [], [], tags)
        events = p.get("Events") if isinstance(p.get("Events"), dict) else {}
        for name, event in events.items():
            if not isinstance(event, dict):
                continue
            etype = event.get("Type")
            ep = event.get("Properties") if isinstance(event.get("Properties"), dict) else {}
            if etype in ("Schedule", "CloudWatchEvent", "EventBridgeRule"):
                role_id = sid + name + "Role"
                self.emit(sam, sid + name, "AWS::Events::Rule", {
                    "ScheduleExpression": ep.get("Schedule"), "EventPattern": ep.get("Pattern"),
                    "EventBusName": ep.get("EventBusName"), "State": ep.get("State"),
                    "Targets": [{"Arn": {"Ref": sid}, "Id": sid + name + "StepFunctionsTarget",
                                 "RoleArn": {"Fn::GetAtt": [role_id, "Arn"]}}],
                })
                self.emit(sam, role_id, "AWS::IAM::Role", {
                    "AssumeRolePolicyDocument": _assume_role("events.amazonaws.com"),
                    "Policies": [{"PolicyName": role_id + "StartExecutionPolicy", "PolicyDocument": {
                        "Version": "2012-10-17", "Statement": [_statement(["states:StartExecution"], {"Ref": sid})]}}],
                })
            elif etype == "ScheduleV2":
                self.schedule_v2(sam, sid + name, ep, {"Ref": sid}, "states:StartExecution", "StartExecutionPolicy")
            elif etype in ("Api", "HttpApi"):
                # API Gateway starts the execution through a role SAM generates for the event.
                role_id = sid + name + "Role"
                self.emit(sam, role_id, "AWS::IAM::Role", {
                    "AssumeRolePolicyDocument": _assume_role("apigateway.amazonaws.com"),
                    "Policies": [{"PolicyName": role_id + "StartExecutionPolicy", "PolicyDocument": {
                        "Version": "2012-10-17", "Statement": [_statement(["states:StartExecution"], {"Ref": sid})]}}],
                    "PermissionsBoundary": p.get("PermissionsBoundary"),
                })
                self.api_event(sam, sid, name, etype, ep, _sub(
                    "arn:${AWS::Partition}:apigateway:${AWS::Region}:states:action/StartExecution"))
            else:
                self.warnings.append((sam.span_path, "SAM event type %s of %s is not expanded" % (etype, sid)))

    def layer_version(self, sam: ResourceDecl) -> None:
        p, src = self.props(sam)
        props = {k: p.get(k) for k in ("LayerName", "Description", "CompatibleRuntimes", "CompatibleArchitectures",
                                       "LicenseInfo")}
        psrc = {k: src.get(k) for k in props}
        if "ContentUri" in p:
            props["Content"] = _code_location(p["ContentUri"], "S3Bucket", "S3Key", "S3ObjectVersion")
            psrc["Content"] = src.get("ContentUri")
        decl = self.emit(sam, sam.logical_id, "AWS::Lambda::LayerVersion", props, psrc, main=True)
        if p.get("RetentionPolicy") in ("Retain", "Delete"):
            decl.attributes.setdefault("DeletionPolicy", p["RetentionPolicy"])

    def application(self, sam: ResourceDecl) -> None:
        p, src = self.props(sam)
        location = p.get("Location")
        if isinstance(location, dict) and not is_intrinsic(location):
            url = Unknown("Serverless Application Repository application %s" % location.get("ApplicationId"))
        else:
            url = location
        props = {"TemplateURL": url, "Parameters": p.get("Parameters"), "NotificationARNs": p.get("NotificationARNs"),
                 "TimeoutInMinutes": p.get("TimeoutInMinutes"), "Tags": _tags_list(p.get("Tags"), None)}
        psrc = {"TemplateURL": src.get("Location"), "Parameters": src.get("Parameters"), "Tags": src.get("Tags")}
        self.emit(sam, sam.logical_id, "AWS::CloudFormation::Stack", props, psrc, main=True)


def _is_fn_if(node) -> bool:
    return (isinstance(node, dict) and len(node) == 1 and isinstance(node.get("Fn::If"), list)
            and len(node["Fn::If"]) == 3)


def _policy_kind(node) -> str:
    """How SAM reads a `Policies` item: "managed", "document", "template" or "none" (NoValue)."""
    if node == {"Ref": "AWS::NoValue"}:
        return "none"
    if isinstance(node, str) or is_intrinsic(node):
        return "managed"
    if isinstance(node, dict) and "Statement" in node:
        return "document"
    if isinstance(node, dict) and len(node) == 1:
        return "template"
    return "other"


def _managed_arn(item):
    """A managed policy name as its AWS managed policy ARN; ARNs and intrinsics as they are."""
    if isinstance(item, str) and not item.startswith("arn:"):
        return _aws_managed(item)
    if _is_fn_if(item):  # nested Fn::If: SAM converts the names in every branch
        condition, *branches = item["Fn::If"]
        return {"Fn::If": [condition] + [_managed_arn(b) for b in branches]}
    return item


def _child(path, key):
    return None if path is None else path + (key,)


def _code_location(uri, bucket_key: str, key_key: str, version_key: str):
    """SAM code/definition locations: "s3://bucket/key", {Bucket, Key, Version}, or a local path."""
    if isinstance(uri, str):
        if uri.startswith("s3://"):
            bucket, _, key = uri[5:].partition("/")
            return {bucket_key: bucket, key_key: key}
        reason = "local path %s is uploaded at package time" % uri
        return {bucket_key: Unknown(reason), key_key: Unknown(reason)}
    if isinstance(uri, dict) and not is_intrinsic(uri):
        out = {bucket_key: uri.get("Bucket"), key_key: uri.get("Key")}
        if "Version" in uri:
            out[version_key] = uri["Version"]
        return out
    return uri


def expand_serverless(data: dict, decls: list) -> tuple[list, list, dict]:
    """Declarations with every SAM resource replaced by what SAM deploys; warnings; and SAM's
    referable properties ("MyFunction.Alias" -> the generated logical id, or None)."""
    return _Expansion(data, decls).run()
