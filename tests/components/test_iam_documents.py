from components.documents import iam


def test_statement_collapses_single_values_and_sorts_many():
    s = iam.statement("Read", ["s3:GetObject"], ["arn:aws:s3:::b/*", "arn:aws:s3:::a/*"])
    assert s == {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]}


def test_trust_statement_names_role_principals():
    s = iam.trust_statement("Pipeline", {"AWS": ["arn:aws:iam::111111111111:role/pipeline"]})
    assert s["Principal"] == {"AWS": "arn:aws:iam::111111111111:role/pipeline"}
    assert iam.document([s])["Version"] == "2012-10-17"
