# tests/aws/botocore_sign.py - Signs the requests sigv4_botocore_test.cpp writes (one JSON object
# per line on stdin) with botocore's own SigV4Auth/S3SigV4Auth at the given time, and prints one
# JSON line per request: botocore's Authorization and canonical request.
import datetime
import json
import sys

import botocore.auth as auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    for line in sys.stdin:
        request = json.loads(line)
        moment = datetime.datetime.fromtimestamp(request["time"], datetime.timezone.utc)
        moment = moment.replace(tzinfo=None)
        auth.get_current_datetime = lambda moment=moment: moment
        aws_request = AWSRequest(method=request["method"], url=request["url"],
                                 data=bytes.fromhex(request["body"]))
        for name, value in request["headers"]:
            aws_request.headers[name] = value  # appends: repeated names stay repeated
        credentials = Credentials(request["access_key_id"], request["secret"],
                                  request["token"] or None)
        signer_class = auth.S3SigV4Auth if request["service"] == "s3" else auth.SigV4Auth
        signer = signer_class(credentials, request["service"], request["region"])
        signer.add_auth(aws_request)
        authorization = aws_request.headers["Authorization"]
        del aws_request.headers["Authorization"]
        canonical = signer.canonical_request(aws_request)
        print(json.dumps({"authorization": authorization, "canonical": canonical}))


if __name__ == "__main__":
    main()
