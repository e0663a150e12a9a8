"""CloudWatch Logs rules through the analyzer."""
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def test_log_group_without_retention_violates(pack):
    [d] = pack.check(LOG_GROUP, {"name": "/aws/codebuild/orders"}, name="orders-build-logs"
                     ).of("logs-group-retention-set")
    assert (d.enforcement, d.severity) == ("mandatory", "medium")
    assert '"orders-build-logs"' in d.message and "no retentionInDays" in d.message
    assert "retention_in_days" in d.message


def test_log_group_that_never_expires_violates(pack):
    r = pack.check(LOG_GROUP, {"retentionInDays": 0}, name="orders-build-logs")
    [d] = r.of("logs-group-retention-set")
    assert "retentionInDays 0," in d.message and "kept forever" in d.message


def test_log_group_with_retention_passes(pack):
    assert not pack.check(LOG_GROUP, {"retentionInDays": 30}).of("logs-group-retention-set")
