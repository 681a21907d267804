"""AWS-ECS-150: an ECS task definition with a container that has no log configuration."""
from __future__ import annotations

from iacguard.check import Check, undecided
from iacguard.core.model import Finding


def evaluate(facts):
    for task in facts.of_kind("ecs_task_logging"):
        attr = task.logged
        if attr.is_false():
            names = ", ".join(task.missing[:5]) + (" and %d more" % (len(task.missing) - 5) if len(task.missing) > 5 else "")
            yield Finding(CHECK.id, task.resource, "ECS task definition %s has containers without a log configuration: %s." % (task.resource.address, names), attr.location)
        elif not attr.known:
            yield undecided(CHECK.id, task.resource, "log configuration", attr.value, attr.location)


CHECK = Check(
    id="AWS-ECS-150",
    title="ECS task definition has a container without a log configuration",
    severity="low",
    pillar="detection",
    cwe=("CWE-778",),
    kinds=("ecs_task_logging",),
    evaluate=evaluate,
    what="""Finds ECS task definitions with a container that sets no log configuration:
`logConfiguration` in Terraform's `container_definitions` (the JSON of `jsonencode(...)` or a
heredoc, read as far as it is known) or `LogConfiguration` in CloudFormation's
`ContainerDefinitions`. One finding per task definition names every such container. A container
list that is not known before deploy leaves it undecided.""",
    why="""Without a log driver ECS drops what a container writes to stdout and stderr: the
application's errors, its access log, the traces of an exploited request. The task cannot be
investigated after it stops, and nothing reaches CloudWatch Logs to alert on.""",
    fix_terraform="""```hcl
resource "aws_ecs_task_definition" "app" {
  family = "app"
  container_definitions = jsonencode([{
    name      = "app"
    image     = "public.ecr.aws/docker/library/nginx:stable"
    essential = true
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = "eu-west-1"
        awslogs-stream-prefix = "app"
      }
    }
  }])
}
```""",
    fix_cloudformation="""```yaml
TaskDefinition:
  Type: AWS::ECS::TaskDefinition
  Properties:
    Family: app
    ContainerDefinitions:
      - Name: app
        Image: public.ecr.aws/docker/library/nginx:stable
        Essential: true
        LogConfiguration:
          LogDriver: awslogs
          Options:
            awslogs-group: !Ref AppLogs
            awslogs-region: !Ref AWS::Region
            awslogs-stream-prefix: app
```""",
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LogConfiguration.html",
    ),
)
