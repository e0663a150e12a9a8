"""Placeholder code a zip function starts with; the service's pipeline replaces it on its first run."""


def handler(event, context):
    return {"statusCode": 503, "body": "not deployed yet: run the service's pipeline"}
