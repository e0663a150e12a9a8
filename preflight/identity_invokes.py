"""getCallerIdentity, getRegion and getPartition answered from the invoking provider's configuration.

Only what that configuration really tells is answered; otherwise the invoke stays unanswered:
- the account: the provider's assume-role ARN, else its only allowed account id
  (preflight.mocks.place_of reads both); the caller's ARN only when the session name of that one
  role is configured too (STS names the session otherwise); the user id (the role's unique id) never;
- the region: the provider's `region`, else AWS_REGION / AWS_DEFAULT_REGION, as the provider reads
  them; its description and partition come from the AWS endpoints data the provider bundles
  (terraform-provider-aws `internal/service/meta/region_data_source.go` looks the region up there and
  fails for a name it does not list; the partition is the one whose regionRegex matches).
"""
from __future__ import annotations

import os
import re
from typing import Any, Mapping, Optional

from preflight.fabricate import Place

CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
REGION = "aws:index/getRegion:getRegion"
PARTITION = "aws:index/getPartition:getPartition"
NOT_KNOWN = Place(account="", region="", partition="")

# The AWS endpoints data (botocore/data/endpoints.json, the same model aws-sdk-go-base's endpoints
# package is generated from): partition -> (dnsSuffix, regionRegex, {region: description}).
PARTITIONS: dict[str, tuple[str, str, dict[str, str]]] = {
    "aws": ("amazonaws.com", r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", {
        "af-south-1": "Africa (Cape Town)", "ap-east-1": "Asia Pacific (Hong Kong)",
        "ap-east-2": "Asia Pacific (Taipei)", "ap-northeast-1": "Asia Pacific (Tokyo)",
        "ap-northeast-2": "Asia Pacific (Seoul)", "ap-northeast-3": "Asia Pacific (Osaka)",
        "ap-south-1": "Asia Pacific (Mumbai)", "ap-south-2": "Asia Pacific (Hyderabad)",
        "ap-southeast-1": "Asia Pacific (Singapore)", "ap-southeast-2": "Asia Pacific (Sydney)",
        "ap-southeast-3": "Asia Pacific (Jakarta)", "ap-southeast-4": "Asia Pacific (Melbourne)",
        "ap-southeast-5": "Asia Pacific (Malaysia)", "ap-southeast-6": "Asia Pacific (New Zealand)",
        "ap-southeast-7": "Asia Pacific (Thailand)", "ca-central-1": "Canada (Central)",
        "ca-west-1": "Canada West (Calgary)", "eu-central-1": "Europe (Frankfurt)",
        "eu-central-2": "Europe (Zurich)", "eu-north-1": "Europe (Stockholm)",
        "eu-south-1": "Europe (Milan)", "eu-south-2": "Europe (Spain)", "eu-west-1": "Europe (Ireland)",
        "eu-west-2": "Europe (London)", "eu-west-3": "Europe (Paris)", "il-central-1": "Israel (Tel Aviv)",
        "me-central-1": "Middle East (UAE)", "me-south-1": "Middle East (Bahrain)",
        "mx-central-1": "Mexico (Central)", "sa-east-1": "South America (Sao Paulo)",
        "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
        "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)"}),
    "aws-cn": ("amazonaws.com.cn", r"^cn\-\w+\-\d+$", {
        "cn-north-1": "China (Beijing)", "cn-northwest-1": "China (Ningxia)"}),
    "aws-us-gov": ("amazonaws.com", r"^us\-gov\-\w+\-\d+$", {
        "us-gov-east-1": "AWS GovCloud (US-East)", "us-gov-west-1": "AWS GovCloud (US-West)"}),
    "aws-iso": ("c2s.ic.gov", r"^us\-iso\-\w+\-\d+$", {
        "us-iso-east-1": "US ISO East", "us-iso-west-1": "US ISO WEST"}),
    "aws-iso-b": ("sc2s.sgov.gov", r"^us\-isob\-\w+\-\d+$", {
        "us-isob-east-1": "US ISOB East (Ohio)", "us-isob-west-1": "US ISOB West"}),
    "aws-iso-e": ("cloud.adc-e.uk", r"^eu\-isoe\-\w+\-\d+$", {"eu-isoe-west-1": "EU ISOE West"}),
    "aws-iso-f": ("csp.hci.ic.gov", r"^us\-isof\-\w+\-\d+$", {
        "us-isof-east-1": "US ISOF EAST", "us-isof-south-1": "US ISOF SOUTH"}),
    "aws-eusc": ("amazonaws.eu", r"^eusc\-(de)\-\w+\-\d+$", {
        "eusc-de-east-1": "AWS European Sovereign Cloud (Germany)"}),
}


class RegionLookupError(ValueError):
    """A region the endpoints data does not list: the provider's getRegion fails the same way."""


def partition_of(region: str) -> Optional[str]:
    """aws-sdk-go-base endpoints.PartitionForRegion: a listed region first, then the region regexes."""
    for name, (_, _, regions) in PARTITIONS.items():
        if region in regions:
            return name
    return next((name for name, (_, regex, _) in PARTITIONS.items() if re.match(regex, region)), None)


def _mocks():
    # Imported when first needed: preflight.mocks imports this module (through offline_invokes).
    from preflight import mocks
    return mocks


def _roles(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The provider's assume-role chain, in order (the last role is who the calls run as)."""
    roles: list[dict[str, Any]] = []
    for key in ("assumeRoles", "assumeRole"):
        value = _mocks()._json_value(config.get(key))
        roles += [r for r in (value if isinstance(value, list) else [value]) if isinstance(r, dict)]
    return roles


def known_place(config: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> Place:
    """The invoking provider's account and region, each "" unless its configuration really tells it."""
    roles = [r for r in _roles(config) if isinstance(r.get("roleArn"), str)]
    if len(roles) > 1:
        config = {**config, "assumeRoles": [roles[-1]], "assumeRole": None}
    place = _mocks().place_of(config, NOT_KNOWN)
    account = place.account
    allowed = _mocks()._json_value(config.get("allowedAccountIds"))
    if not roles and isinstance(allowed, list) and len(allowed) != 1:
        account = ""  # several allowed accounts: the credentials could reach any of them
    region = place.region or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or ""
    return Place(account=account, region=region, partition=(partition_of(region) or "") if region else "")


def caller_identity(config: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> Optional[dict]:
    place = known_place(config, environ)
    if not place.account or not place.account.isdigit():
        return None
    answer: dict[str, Any] = {"accountId": place.account, "id": place.account}
    roles = [r for r in _roles(config) if isinstance(r.get("roleArn"), str)]
    session = roles[-1].get("sessionName") if roles else None
    if isinstance(session, str) and session:
        # An assumed role's ARN keeps the role's partition, drops its path, and names the session.
        partition_name = roles[-1]["roleArn"].split(":")[1]
        role_name = roles[-1]["roleArn"].rsplit("/", 1)[-1]
        answer["arn"] = f"arn:{partition_name}:sts::{place.account}:assumed-role/{role_name}/{session}"
    return answer


def region(args: Mapping[str, Any], config: Mapping[str, Any],
           environ: Mapping[str, str] = os.environ) -> Optional[dict]:
    """getRegion: the region named by `region`/`name`/`endpoint`, else the provider's."""
    wanted = args.get("region") or args.get("name")
    endpoint = args.get("endpoint")
    if endpoint:
        by_endpoint = next((r for r in _all_regions() if _ec2_endpoint(r) == endpoint), None)
        if by_endpoint is None:
            raise RegionLookupError(f"finding Region by endpoint ({endpoint}): couldn't find resource")
        if wanted and wanted != by_endpoint:
            raise RegionLookupError("multiple Regions matched: use additional constraints to reduce "
                                    "matches to a single Region")
        wanted = by_endpoint
    name = wanted or known_place(config, environ).region
    if not name:
        return None
    if name not in _all_regions():
        raise RegionLookupError(f"finding Region by name ({name}): couldn't find resource")
    partition = partition_of(name) or ""
    return {"description": PARTITIONS[partition][2][name], "endpoint": _ec2_endpoint(name),
            "id": name, "name": name, "region": name}


def partition(config: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> Optional[dict]:
    name = known_place(config, environ).partition
    if not name:
        return None
    suffix = PARTITIONS[name][0]
    return {"dnsSuffix": suffix, "id": name, "partition": name,
            "reverseDnsPrefix": ".".join(reversed(suffix.split(".")))}


def _all_regions() -> list[str]:
    return [r for _, _, regions in PARTITIONS.values() for r in regions]


def _ec2_endpoint(region_name: str) -> str:
    """The EC2 endpoint resolver's default host: ec2.{region}.{dnsSuffix}."""
    return f"ec2.{region_name}.{PARTITIONS[partition_of(region_name) or 'aws'][0]}"
