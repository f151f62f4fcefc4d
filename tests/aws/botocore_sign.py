# tests/aws/botocore_sign.py - Signs the requests sigv4_botocore_test.cpp writes (one JSON object
# per line on stdin) with botocore's own SigV4Auth/S3SigV4Auth at the given time, and prints one
# JSON line per request: botocore's Authorization and canonical request.
import datetime
import json
import sys

import botocore.auth as auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class PinnedTime:
    """Signs at `amz_date` instead of now. add_auth reads the clock itself (datetime.utcnow() in
    botocore 1.29, Debian 12's; get_current_datetime() in newer ones) and then, in every version,
    hands the request to _modify_request_before_signing before using the timestamp: replacing it
    there pins the time with botocore's own add_auth, whatever clock that version reads."""

    def __init__(self, amz_date, *args):
        super().__init__(*args)
        self._amz_date = amz_date

    def _modify_request_before_signing(self, request):
        request.context["timestamp"] = self._amz_date
        super()._modify_request_before_signing(request)


class PinnedSigV4Auth(PinnedTime, auth.SigV4Auth):
    pass


class PinnedS3SigV4Auth(PinnedTime, auth.S3SigV4Auth):
    pass


def main():
    for line in sys.stdin:
        request = json.loads(line)
        moment = datetime.datetime.fromtimestamp(request["time"], datetime.timezone.utc)
        amz_date = moment.strftime(auth.SIGV4_TIMESTAMP)
        aws_request = AWSRequest(method=request["method"], url=request["url"],
                                 data=bytes.fromhex(request["body"]))
        for name, value in request["headers"]:
            aws_request.headers[name] = value  # appends: repeated names stay repeated
        credentials = Credentials(request["access_key_id"], request["secret"],
                                  request["token"] or None)
        signer_class = PinnedS3SigV4Auth if request["service"] == "s3" else PinnedSigV4Auth
        signer = signer_class(amz_date, credentials, request["service"], request["region"])
        signer.add_auth(aws_request)
        authorization = aws_request.headers["Authorization"]
        del aws_request.headers["Authorization"]
        canonical = signer.canonical_request(aws_request)
        print(json.dumps({"authorization": authorization, "canonical": canonical}))


if __name__ == "__main__":
    main()
