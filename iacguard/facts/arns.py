"""ARNs and accounts of resources of the scan, as far as they can be known before deploy.

    arn_of(graph, resource) -> str | Unknown      # the ARN; an Unknown keeps the known pieces
    account_of(graph, resource) -> str | Unknown  # the account id the resource is deployed into
    resolve(graph, value) -> value                # `value` with each AttributeUnknown piece naming
                                                  # an ARN (or name/id) that can be computed replaced

An ARN is built from a row of `ROWS` (resource type -> template and the property holding the
name), the resource's known properties and its provider configuration:

- partition: from the region ("cn-*" is aws-cn, "us-gov-*" aws-us-gov, "us-iso-*" aws-iso,
  "us-isob-*" aws-iso-b); "aws" when the region is not known, as CloudFormation's
  AWS::Partition is read elsewhere in this scanner;
- region: the Terraform provider configuration's region; a CloudFormation stack's is known only
  at deploy;
- account: the single `allowed_account_ids` entry, else the account of the provider's
  `assume_role` role ARN; a CloudFormation stack's is known only at deploy;
- name: the row's name property. A name left to the provider or to CloudFormation to generate is
  the symbolic `NameUnknown(resource.id, symbol)` (an `AttributeUnknown`) where `symbol` is the
  attribute that reads it back (`aws_s3_bucket.b.bucket`, `!Ref Bucket`): a policy naming that
  attribute then names the same piece. So are generated parts of an ARN (a KMS key id, a
  secret's random suffix). A `NameUnknown` also says which names it is one of (`namespace`), so
  that the IAM matcher tells the generated names of two resources of one type apart.

A piece that is not known makes the ARN a `PartialUnknown` whose `partial_text` holds the known
text and one Unknown per unknown piece, with its reason ("account id of aws_s3_bucket.b is known
at deploy"). A type without a row gives `AttributeUnknown(reason, resource.id, "arn")`: still
the ARN of that resource, matchable, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from iacguard.core.model import CLOUDFORMATION, TERRAFORM
from iacguard.core.unknown import AttributeUnknown, PartialUnknown, Unknown, deployment_account, deployment_region
from iacguard.graph import provider_of, root_of

# Pieces one resolved value may hold: past this, further attribute pieces are left symbolic.
MAX_PIECES = 64

_PLACEHOLDER = re.compile(r"\{(partition|region|account|path|name|suffix)\}")
_ACCOUNT_IN_ROLE = re.compile(r"role=arn:[a-z-]+:iam::([0-9]{12}):")


@dataclass(frozen=True)
class ArnRow:
    """How the ARN of one resource type is built and read back.

    template: the ARN with {partition} {region} {account} {path} {name} {suffix} placeholders;
    name: the property holding the name ("" when the name is always generated);
    prefix: the property holding a name prefix the rest of which is generated (Terraform `name_prefix`);
    path: the property holding an IAM path ("/" when absent);
    symbol: the attribute that reads the name back, the symbolic piece when it is not known;
    arn_attrs / name_attrs: the attributes (CloudFormation: "Ref" and GetAtt names) whose value
    is the ARN / the name;
    suffix: the symbol of a generated suffix ({suffix}: a secret's random characters);
    slash: the name is an SSM parameter name (a "/" goes before a name that lacks one)."""

    template: str
    name: str = ""
    prefix: str = ""
    path: str = ""
    symbol: str = "name"
    arn_attrs: tuple = ("arn",)
    name_attrs: tuple = ()
    suffix: str = ""
    slash: bool = False


# Characters that never occur in a name of these types (bucket, table, queue, role... names have
# neither "/" nor ":"); the names of the others may hold a "/" (paths, namespaces) but no ":".
_SLASH_NAMES = ("kms", "secretsmanager", "ecr", "logs", "ssm", "events")


class NameUnknown(AttributeUnknown):
    """The name (or the generated suffix) of a resource of the scan inside its ARN, known only at
    deploy: an `AttributeUnknown` that also says which names it is one of. `namespace`: the ARN
    template of its type and which piece it is ("...:s3:::{name}#name"), the same for both
    languages; `stops`: the characters such a name never holds; `taken`: the known ARNs of the
    other resources of the scan in that namespace (`in` only, computed once per scan on first
    use; only for templates that end with the name). Two such pieces of two different resources in one
    namespace are two different names where the rest of the ARN is the same, and the ARN is none
    of `taken` (two resources of one scan are never one AWS object): the IAM matcher
    (`iacguard.iam.matching`) uses it to tell generated names apart."""

    __slots__ = ("namespace", "stops", "taken")

    def __init__(self, reason: str = "", node: str = "", attribute: str = "", namespace: str = "", stops: str = ":",
                 taken=frozenset()) -> None:
        super().__init__(reason, node, attribute)
        self.namespace = namespace
        self.stops = stops
        self.taken = taken

    def __reduce__(self):
        # `taken` is an index of the scan, not part of the value
        return (NameUnknown, (self.reason, self.node, self.attribute, self.namespace, self.stops))


def _namespace(row: "ArnRow", piece: str) -> str:
    return "%s#%s" % (row.template, piece)


def _taken(graph) -> dict:
    """namespace -> the known ARNs of the resources of the scan of that namespace (templates that
    end with the name only), built once per graph, on first use."""
    done = getattr(graph, "_arn_names_taken", None)
    if done is not None:
        return done
    out: dict = {}
    for res in getattr(graph, "resources", ()):
        row = ROWS.get(res.type)
        if row is None or not row.name or res.mode != "managed" or not row.template.endswith("{name}"):
            continue
        props = res.properties if isinstance(res.properties, dict) else {}
        if not isinstance(props.get(row.name), str):
            continue  # a name not known: its ARN is not known either
        arn = arn_of(graph, res)
        if isinstance(arn, str):
            out.setdefault(_namespace(row, "name"), set()).add(arn)
    try:
        graph._arn_names_taken = out
    except AttributeError:
        pass
    return out


class _Taken:
    """The known ARNs of one namespace of a scan (`in` only), computed on first use: most
    scans never ask."""

    __slots__ = ("graph", "namespace")

    def __init__(self, graph, namespace: str) -> None:
        self.graph = graph
        self.namespace = namespace

    def __contains__(self, arn) -> bool:
        return arn in _taken(self.graph).get(self.namespace, ())

    def __bool__(self) -> bool:
        return True


def _symbol(reason: str, resource, row: "ArnRow", attribute: str, piece: str = "name", graph=None) -> NameUnknown:
    service = row.template.split(":", 3)[2] if row.template.count(":") >= 3 else ""
    stops = ":" if piece == "name" and service in _SLASH_NAMES else "/:"
    namespace = _namespace(row, piece)
    taken = frozenset()
    if graph is not None and piece == "name" and row.template.endswith("{name}"):
        taken = _Taken(graph, namespace)
    return NameUnknown(reason, resource.id, attribute, namespace, stops, taken)


def _tf(template: str, name: str = "name", ids: str = "name", **kw) -> ArnRow:
    """A Terraform row: `ids` says what the `id` attribute is ("name", "arn", or "" for neither)."""
    name_attrs = (name,) + (("id",) if ids == "name" else ())
    arn_attrs = ("arn",) + (("id",) if ids == "arn" else ())
    kw.setdefault("symbol", name)
    kw.setdefault("prefix", "name_prefix" if name == "name" else "")
    return ArnRow(template, name=name, arn_attrs=arn_attrs, name_attrs=name_attrs, **kw)


def _cfn(template: str, name: str, ref: str, name_attr: str = "", **kw) -> ArnRow:
    """A CloudFormation row: `ref` says what `!Ref` gives ("name", "arn", or "" for neither);
    `name_attr` is the GetAtt attribute that gives the name, if any."""
    arn_attrs = ("Arn",) + (("Ref",) if ref == "arn" else ())
    name_attrs = (("Ref",) if ref == "name" else ()) + ((name_attr,) if name_attr else ())
    symbol = "Ref" if ref == "name" else (name_attr or name)
    return ArnRow(template, name=name, arn_attrs=arn_attrs, name_attrs=name_attrs, symbol=symbol, **kw)


_REGIONAL = "arn:{partition}:%s:{region}:{account}:%s"
_IAM = "arn:{partition}:iam::{account}:%s{path}{name}"

# (types, row): Terraform `aws_*` and CloudFormation `AWS::*` types. Which attribute is the ARN,
# the name or neither follows each type's documented return values (`id` of aws_iam_policy is
# its ARN; `!Ref` of an AWS::SQS::Queue is its URL, of an AWS::SNS::Topic its ARN).
_TABLE = (
    (("aws_s3_bucket",), _tf("arn:{partition}:s3:::{name}", name="bucket", prefix="bucket_prefix")),
    (("aws_iam_role",), _tf(_IAM % "role", path="path")),
    (("aws_iam_user",), _tf(_IAM % "user", path="path", prefix="")),
    (("aws_iam_group",), _tf(_IAM % "group", path="path", prefix="")),
    (("aws_iam_policy",), _tf(_IAM % "policy", ids="arn", path="path")),
    (("aws_iam_instance_profile",), _tf(_IAM % "instance-profile", path="path")),
    (("aws_sqs_queue",), _tf(_REGIONAL % ("sqs", "{name}"), ids="")),
    (("aws_sns_topic",), _tf(_REGIONAL % ("sns", "{name}"), ids="arn")),
    (("aws_kms_key",), ArnRow(_REGIONAL % ("kms", "key/{name}"), symbol="key_id", name_attrs=("key_id", "id"))),
    (("aws_kms_alias",), _tf(_REGIONAL % ("kms", "{name}"))),
    (("aws_secretsmanager_secret",), _tf(_REGIONAL % ("secretsmanager", "secret:{name}-{suffix}"), ids="arn", suffix="random_suffix")),
    (("aws_lambda_function",), _tf(_REGIONAL % ("lambda", "function:{name}"), name="function_name")),
    (("aws_dynamodb_table",), _tf(_REGIONAL % ("dynamodb", "table/{name}"), prefix="")),
    (("aws_ecr_repository",), _tf(_REGIONAL % ("ecr", "repository/{name}"), prefix="")),
    (("aws_cloudwatch_log_group",), _tf(_REGIONAL % ("logs", "log-group:{name}"))),
    (("aws_ssm_parameter",), _tf(_REGIONAL % ("ssm", "parameter{name}"), prefix="", slash=True)),
    (("aws_sfn_state_machine",), _tf(_REGIONAL % ("states", "stateMachine:{name}"), ids="arn")),
    (("aws_kinesis_stream",), _tf(_REGIONAL % ("kinesis", "stream/{name}"), ids="arn", prefix="")),
    (("aws_cloudwatch_event_bus",), _tf(_REGIONAL % ("events", "event-bus/{name}"), prefix="")),
    (("AWS::S3::Bucket",), _cfn("arn:{partition}:s3:::{name}", "BucketName", "name")),
    (("AWS::IAM::Role",), _cfn(_IAM % "role", "RoleName", "name", path="Path")),
    (("AWS::IAM::User",), _cfn(_IAM % "user", "UserName", "name", path="Path")),
    (("AWS::IAM::Group",), _cfn(_IAM % "group", "GroupName", "name", path="Path")),
    (("AWS::IAM::ManagedPolicy",), _cfn(_IAM % "policy", "ManagedPolicyName", "arn", "PolicyName", path="Path")),
    (("AWS::IAM::InstanceProfile",), _cfn(_IAM % "instance-profile", "InstanceProfileName", "name", path="Path")),
    (("AWS::SQS::Queue",), _cfn(_REGIONAL % ("sqs", "{name}"), "QueueName", "", "QueueName")),
    (("AWS::SNS::Topic",), _cfn(_REGIONAL % ("sns", "{name}"), "TopicName", "arn", "TopicName")),
    (("AWS::KMS::Key",), _cfn(_REGIONAL % ("kms", "key/{name}"), "", "name", "KeyId")),
    (("AWS::KMS::Alias",), _cfn(_REGIONAL % ("kms", "{name}"), "AliasName", "name")),
    (("AWS::SecretsManager::Secret",), _cfn(_REGIONAL % ("secretsmanager", "secret:{name}-{suffix}"), "Name", "arn", suffix="RandomSuffix")),
    (("AWS::Lambda::Function",), _cfn(_REGIONAL % ("lambda", "function:{name}"), "FunctionName", "name")),
    (("AWS::DynamoDB::Table",), _cfn(_REGIONAL % ("dynamodb", "table/{name}"), "TableName", "name")),
    (("AWS::ECR::Repository",), _cfn(_REGIONAL % ("ecr", "repository/{name}"), "RepositoryName", "name")),
    # GetAtt Arn of a log group ends in ":*" (Terraform's `arn` does not).
    (("AWS::Logs::LogGroup",), _cfn(_REGIONAL % ("logs", "log-group:{name}:*"), "LogGroupName", "name")),
    (("AWS::SSM::Parameter",), _cfn(_REGIONAL % ("ssm", "parameter{name}"), "Name", "name", slash=True)),
    (("AWS::StepFunctions::StateMachine",), _cfn(_REGIONAL % ("states", "stateMachine:{name}"), "StateMachineName", "arn", "Name")),
    (("AWS::Kinesis::Stream",), _cfn(_REGIONAL % ("kinesis", "stream/{name}"), "Name", "name")),
    (("AWS::Events::EventBus",), _cfn(_REGIONAL % ("events", "event-bus/{name}"), "Name", "name", "Name")),
)

ROWS = {t: row for types, row in _TABLE for t in types}

# Terraform data sources that read the deployment itself: attribute -> what it is.
_DEPLOYMENT = {
    ("aws_caller_identity", "account_id"): "account",
    ("aws_region", "name"): "region",
    ("aws_region", "region"): "region",
    ("aws_region", "id"): "region",
    ("aws_partition", "partition"): "partition",
    ("aws_partition", "id"): "partition",
}


# --- where a resource is deployed ---------------------------------------------------------------


def _provider(graph, resource) -> dict:
    of = getattr(graph, "provider_of", None)
    if of is not None:
        return of(resource)
    return provider_of(resource)


def _known(value) -> str | None:
    return value if isinstance(value, str) and value else None


def region_of(graph, resource) -> str | Unknown:
    """The region the resource is deployed into, or an Unknown saying why not."""
    if resource.language == TERRAFORM:
        scope = _provider(graph, resource)
        region = _known(scope.get("region"))
        if region is not None:
            return region
        why = scope.get("why") or "its provider configuration sets no region"
        # Not known, but one for every resource of one provider configuration: a symbol they
        # share, so that the ARN of a resource matches the same ARN in a policy.
        return deployment_region("region of %s is not known: %s" % (resource.address, why), scope.get("config"))
    # A CloudFormation template deploys to one region per stack.
    return deployment_region("region of %s is known at deploy" % resource.address,
                             root_of(resource))


def partition_of(region) -> str:
    """The partition of a region; "aws" when the region is not known (see the module docstring)."""
    if not isinstance(region, str):
        return "aws"
    for start, partition in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b"), ("us-iso-", "aws-iso")):
        if region.startswith(start):
            return partition
    return "aws"


def account_of(graph, resource) -> str | Unknown:
    """The account id the resource is deployed into: the single `allowed_account_ids` entry of
    its Terraform provider, else the account of the provider's `assume_role` role ARN; else
    an Unknown saying it is known at deploy."""
    if resource.language == TERRAFORM:
        scope = _provider(graph, resource)
        account = _known(scope.get("account_id"))
        if account is not None:
            return account
        m = _ACCOUNT_IN_ROLE.search(str(scope.get("account", "")))
        if m:
            return m.group(1)
    # Not known, but the same for every resource of one deployment (one root, one provider
    # account): a symbol two such resources share, so that the evaluator can tell they are in
    # one account (iacguard.graph.same_account draws the same line).
    where = provider_of(resource)
    return deployment_account("account id of %s is known at deploy" % resource.address, root_of(resource), where.get("account"))


# --- ARNs ---------------------------------------------------------------------------------------


def _pieces(value) -> list:
    """A value as str / Unknown pieces (a PartialUnknown's text pieces spliced in)."""
    text = getattr(value, "partial_text", None)
    if text is not None:
        return list(text)
    return [value]


def _name_pieces(resource, row: ArnRow, graph=None) -> list:
    props = resource.properties if isinstance(resource.properties, dict) else {}
    value = props.get(row.name) if row.name else None
    generated = "name of %s is generated at deploy" % resource.address
    if value is None and row.prefix and isinstance(props.get(row.prefix), str):
        return [props[row.prefix], _symbol(generated, resource, row, row.symbol, graph=graph)]
    if value is None:
        return [_symbol(generated, resource, row, row.symbol, graph=graph)]
    if isinstance(value, str):
        if row.slash and not value.startswith("/"):
            value = "/" + value
        return [value]
    if isinstance(value, PartialUnknown) and value.partial_text is not None:
        return list(value.partial_text)
    if isinstance(value, Unknown):
        # Whatever it turns out to be, it is what the symbol reads back.
        return [_symbol(value.reason, resource, row, row.symbol, graph=graph)]
    return [Unknown("name of %s is not a string" % resource.address)]


def _path_pieces(resource, row: ArnRow) -> list:
    props = resource.properties if isinstance(resource.properties, dict) else {}
    value = props.get(row.path)
    if value is None:
        return ["/"]
    if isinstance(value, str):
        return [value]
    return _pieces(value) if isinstance(value, Unknown) else [Unknown("path of %s is not a string" % resource.address)]


def _fill(row: ArnRow, graph, resource) -> list:
    region = region_of(graph, resource) if "{region}" in row.template else None
    pieces: list = []
    pos = 0
    for m in _PLACEHOLDER.finditer(row.template):
        pieces.append(row.template[pos:m.start()])
        pos = m.end()
        what = m.group(1)
        if what == "partition":
            pieces.append(partition_of(region if region is not None else region_of(graph, resource)))
        elif what == "region":
            pieces.append(region)
        elif what == "account":
            pieces.append(account_of(graph, resource))
        elif what == "path":
            pieces.extend(_path_pieces(resource, row))
        elif what == "name":
            pieces.extend(_name_pieces(resource, row, graph))
        else:
            pieces.append(_symbol("random suffix of the ARN of %s is chosen at deploy" % resource.address, resource, row, row.suffix, "suffix"))
    pieces.append(row.template[pos:])
    return pieces


def _join(pieces: list):
    """Merged pieces as a str when all are known, else a PartialUnknown with the first
    Unknown's reason (a lone Unknown piece is returned as itself)."""
    out: list = []
    known = True  # every piece kept is a str (what all(isinstance(p, str) for p in out) asked after)
    last_str = False  # out[-1] is a str
    for p in pieces:
        if isinstance(p, str):
            if not p:
                continue
            if last_str:
                p = out.pop() + p
            last_str = True
        else:
            known = last_str = False
        out.append(p)
    if known:
        return "".join(out)
    if len(out) == 1:
        return out[0]
    first = next(p for p in out if isinstance(p, Unknown))
    return PartialUnknown(first.reason, partial_text=tuple(out))


def arn_of(graph, resource):
    """The resource's ARN: a str when every piece is known, else a PartialUnknown with the known
    pieces (see the module docstring); `AttributeUnknown(.., resource.id, "arn")` for a type
    without a row. Inside `remembered(graph)`, computed once per resource."""
    memo = getattr(graph, "_arns_memo", None)
    if memo is None:
        return _arn_of(graph, resource)
    hit = memo.get(id(resource))
    if hit is None or hit[0] is not resource:
        hit = memo[id(resource)] = (resource, _arn_of(graph, resource))
    return hit[1]


class remembered:
    """`with remembered(graph):` each resource's ARN is computed once (a collector that asks for
    the same ARN from several places: a principal's statements, a resource policy). For a span
    in which the graph does not change; nested spans share the outer one's table."""

    def __init__(self, graph) -> None:
        self.graph = graph
        self.owner = False

    def __enter__(self):
        if getattr(self.graph, "_arns_memo", None) is None:
            self.graph._arns_memo = {}
            self.owner = True
        return self

    def __exit__(self, *exc) -> None:
        if self.owner:
            self.graph._arns_memo = None


def _arn_of(graph, resource):
    row = ROWS.get(resource.type)
    if row is None:
        attribute = "Arn" if resource.language == CLOUDFORMATION else "arn"
        return AttributeUnknown("ARN of %s (%s) is not computed offline" % (resource.address, resource.type), resource.id, attribute)
    return _join([_deployment_piece(graph, p) for p in _fill(row, graph, resource)])


def _deployment_piece(graph, piece):
    """A piece of a name that reads the account, region or partition of the deployment
    (`data.aws_caller_identity.x.account_id` in a bucket name) as that value or symbol; any other
    piece as it is. Names are not resolved further: a name built from another resource's ARN
    stays symbolic (and resolving stays one level deep)."""
    if not isinstance(piece, AttributeUnknown):
        return piece
    resource = graph.resource(piece.node)
    if resource is None or resource.mode != "data" or (resource.type, piece.attribute) not in _DEPLOYMENT:
        return piece
    value = _resolve_piece(graph, piece)
    return piece if value is None else value


# --- resolving symbolic pieces ------------------------------------------------------------------


def _resolve_piece(graph, piece):
    """What one AttributeUnknown stands for, as a value (str or Unknown), or None when it
    cannot be computed (it then stays as it is)."""
    resource = graph.resource(piece.node)
    if resource is None:
        return None
    attribute = piece.attribute
    deployment = _DEPLOYMENT.get((resource.type, attribute)) if resource.mode == "data" else None
    if deployment == "account":
        return account_of(graph, resource)
    if deployment == "region":
        return region_of(graph, resource)
    if deployment == "partition":
        return partition_of(region_of(graph, resource))
    row = ROWS.get(resource.type)
    if row is None:
        return None
    if attribute in row.arn_attrs:
        return arn_of(graph, resource)
    if attribute in row.name_attrs:
        if not row.name:
            # Always generated (a KMS key id): the one symbol both readings share.
            return _symbol(piece.reason, resource, row, row.symbol, graph=graph)
        return _join(_name_pieces(resource, row, graph))
    return None


def resolve(graph, value):
    """`value` (a str, an Unknown, a PartialUnknown, or a list/tuple of them) with each
    AttributeUnknown piece that stands for an ARN or a name the table can compute replaced by
    it: a str when every piece became known, else a PartialUnknown of the merged pieces.
    Pieces that cannot be computed stay as they are; a value nothing was replaced in is
    returned unchanged. At most MAX_PIECES pieces are produced per value."""
    if isinstance(value, (list, tuple)):
        return type(value)(resolve(graph, v) for v in value)
    if not isinstance(value, (AttributeUnknown, PartialUnknown)):
        return value
    pieces = _pieces(value)
    if len(pieces) > MAX_PIECES:
        return value
    out: list = []
    changed = False
    for i, piece in enumerate(pieces):
        if type(piece) is AttributeUnknown:
            found = _resolve_piece(graph, piece)
            if found is not None:
                new = _pieces(found)
                # room for it and for every piece still to come
                if len(out) + len(new) + len(pieces) - i - 1 <= MAX_PIECES:
                    out.extend(new)
                    changed = True
                    continue
        out.append(piece)
    return _join(out) if changed else value
