"""What provider-input-schema could not check is named in every report format, beside the other blind spots."""
import json
import xml.etree.ElementTree as ET

from preflight.reports import render
from tests.preflight.report_samples import clean_report, prod_report

UNCHECKED = {"random:index/randomString:RandomString":
             "no installed package registers resource module random:index/randomString"}


def test_unchecked_types_are_listed_in_every_format_and_change_no_verdict():
    report = prod_report(violations=[], waived=0, unanswered_invokes=[], secret_config_keys=[],
                         schema_unchecked=dict(UNCHECKED))
    assert report.exit_code == 0
    text = render(report, "text")
    assert ("Provider input schema not checked for (not resolvable offline; the verdict may miss what the "
            "provider refuses there):\n  random:index/randomString:RandomString: no installed package registers "
            "resource module random:index/randomString\n") in text
    assert text.rstrip().endswith("PASS: no mandatory violations; 0 advisory violations, 0 waived, 9 resources "
                                  "in aws-cicd-platform/prod (preview)")
    assert json.loads(render(report, "json"))["schema_unchecked"] == [
        {"type": "random:index/randomString:RandomString",
         "reason": "no installed package registers resource module random:index/randomString"}]
    assert "> ⚠️ Provider input schema not checked for (not resolvable offline): " \
           "`random:index/randomString:RandomString`" in render(report, "markdown")
    notes = json.loads(render(report, "sarif"))["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert {"level": "note", "message": {"text": "provider input schema not checked for "
                                                 "random:index/randomString:RandomString: no installed package "
                                                 "registers resource module random:index/randomString"}} in notes
    properties = ET.fromstring(render(report, "junit")).find("testsuite/properties")
    assert [p.get("value") for p in properties if p.get("name") == "schema_unchecked"] == [
        "random:index/randomString:RandomString: no installed package registers resource module "
        "random:index/randomString"]


def test_nothing_unchecked_adds_no_line():
    text = render(clean_report(), "text")
    assert "Provider input schema" not in text
    assert json.loads(render(clean_report(), "json"))["schema_unchecked"] == []
