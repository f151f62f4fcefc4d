#!/usr/bin/env python3
# tests/reference/cur_reference.py - independent Python reference of edgecur's CUR aggregation rules.
"""Computes edgecur's report CSV from CUR files, exactly, with Python's csv and decimal modules.

    cur_reference.py [--by hour|day|month] [--malformed skip|fail] FILE... > report.csv
    cur_reference.py [options] --deliveries FILE... -- FILE... -- ...   (deliveries in order)

This is the oracle the C++ engine is checked against. It shares no code and no algorithm with it:
rows are split by the csv module (strict mode), numbers are decimal.Decimal with a 1000-digit
context, timestamps go through datetime. It streams: files are read row by row; only the key table is kept.

Rules implemented (the contract of /tmp/prompts/cur_rules.md, also in the project docs):
- columns found by name in each file's header, legacy `category/Name` or CUR 2.0 snake_case (a
  header with any '/' in a name is legacy); a missing required column fails the delivery;
- key = (billing period YYYY-MM in UTC, payer, usage account, usage start floored to the hour UTC,
  currency); measures unblended, net unblended (falls back to unblended per row), blended,
  amortized (by line item type); every value quantized to 18 fractional digits rounding to 05up
  (so printing one value rounds it once: half-even at parse would round it twice), summed
  exactly, printed with 10 fractional digits half-even, never "-0";
- malformed rows are skipped and counted (policy skip) or fail the delivery (policy fail);
- the CSV dialect is the one core/csv/csv_reader.h defines: a record ends at LF (a CR before it
  is part of the line end, a lone CR is data); a quote inside an unquoted field is data; text
  after a closing quote makes the row malformed ("stray quote"); a file that ends inside a quoted
  field fails the delivery; empty lines are skipped but counted; a BOM at the start is dropped.
  (The engine's row and field size limits, 256 KiB and 64 KiB, are not modelled.)
- the files of one delivery replace, per billing period present in it, what the store held.

Exit status: 0 when every delivery was applied; 1 when one failed (the report still shows the store
without it, as edgecur's store would after a failed ingest); 2 on a usage error.
Diagnostics go to stderr: per delivery, the malformed row count and the first locations file:line.
"""

import csv
import datetime
import decimal
import gzip
import io
import re
import sys
import zipfile
from decimal import Decimal, ROUND_05UP, ROUND_HALF_EVEN

HEADER = ("billing_period,payer_account_id,usage_account_id,hour_start,currency,"
          "unblended_cost,net_unblended_cost,blended_cost,amortized_cost,line_items")

# role -> (legacy column, CUR 2.0 column)
COLUMNS = {
    "period": ("bill/BillingPeriodStartDate", "bill_billing_period_start_date"),
    "payer": ("bill/PayerAccountId", "bill_payer_account_id"),
    "account": ("lineItem/UsageAccountId", "line_item_usage_account_id"),
    "start": ("lineItem/UsageStartDate", "line_item_usage_start_date"),
    "currency": ("lineItem/CurrencyCode", "line_item_currency_code"),
    "type": ("lineItem/LineItemType", "line_item_line_item_type"),
    "unblended": ("lineItem/UnblendedCost", "line_item_unblended_cost"),
    "net": ("lineItem/NetUnblendedCost", "line_item_net_unblended_cost"),
    "blended": ("lineItem/BlendedCost", "line_item_blended_cost"),
    "sp_effective": ("savingsPlan/SavingsPlanEffectiveCost",
                     "savings_plan_savings_plan_effective_cost"),
    "sp_total": ("savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date"),
    "sp_used": ("savingsPlan/UsedCommitment", "savings_plan_used_commitment"),
    "ri_effective": ("reservation/EffectiveCost", "reservation_effective_cost"),
    "ri_unused_upfront": ("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
                          "reservation_unused_amortized_upfront_fee_for_billing_period"),
    "ri_unused_recurring": ("reservation/UnusedRecurringFee", "reservation_unused_recurring_fee"),
    "ri_arn": ("reservation/ReservationARN", "reservation_reservation_a_r_n"),
}
REQUIRED = ("period", "payer", "account", "start", "currency", "type", "unblended")
OPTIONAL = tuple(role for role in COLUMNS if role not in REQUIRED)

# Line item type -> how the amortized measure is made: (kind, cost roles it reads).
AMORTIZED = {
    "SavingsPlanCoveredUsage": ("one", ("sp_effective",)),
    "SavingsPlanRecurringFee": ("difference", ("sp_total", "sp_used")),
    "SavingsPlanNegation": ("zero", ()),
    "SavingsPlanUpfrontFee": ("zero", ()),
    "DiscountedUsage": ("one", ("ri_effective",)),
    "RIFee": ("sum", ("ri_unused_upfront", "ri_unused_recurring")),
}
UNBLENDED_RULE = ("unblended", ())

# Exact arithmetic: 1000 digits hold any sum of 18-fractional-digit values this tool can meet;
# Inexact and Rounded are trapped so a sum that would lose a digit raises instead of rounding.
EXACT = decimal.Context(prec=1000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                        traps=[decimal.InvalidOperation, decimal.Inexact, decimal.Rounded,
                               decimal.Overflow])
ROUNDING = decimal.Context(prec=1000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                           rounding=ROUND_HALF_EVEN, traps=[decimal.InvalidOperation])
# A value with more than 18 fractional digits is held rounded to 05up (truncated, a last digit of
# 0 or 5 made one more when anything was dropped): no half-even tie at 10 digits can then appear
# or vanish, so the printed figure of one value is the exact value's rounding.
HOLDING = decimal.Context(prec=1000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                          rounding=ROUND_05UP, traps=[decimal.InvalidOperation])
decimal.setcontext(EXACT)
Q18 = Decimal("1e-18")
Q10 = Decimal("1e-10")
ZERO = Decimal(0)

NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
TIMESTAMP_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
                          r"(?:[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
                          r"(Z|[+-][0-9]{2}:[0-9]{2})?)?\Z")
ACCOUNT_RE = re.compile(r"[0-9]{1,19}\Z")
CURRENCY_RE = re.compile(r"[A-Z]{3}\Z")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
CACHE_LIMIT = 200_000


class Malformed(Exception):
    """A row the rules reject; args[0] says why."""


class DeliveryFailed(Exception):
    """The delivery cannot be applied; args[0] is the message (file:line: reason)."""


# ---- values --------------------------------------------------------------------------------------

_timestamp_cache = {}


def parse_timestamp(text):
    """Seconds since the epoch (UTC) of a CUR timestamp, fraction truncated; None when invalid."""
    cached = _timestamp_cache.get(text)
    if cached is not None or text in _timestamp_cache:
        return cached
    seconds = None
    match = TIMESTAMP_RE.match(text)
    if match:
        year, month, day, hour, minute, second, zone = match.groups()
        try:
            stamp = datetime.datetime(int(year), int(month), int(day), int(hour or 0),
                                      int(minute or 0), int(second or 0),
                                      tzinfo=datetime.timezone.utc)
            if zone and zone != "Z":
                hours, minutes = int(zone[1:3]), int(zone[4:6])
                if hours > 23 or minutes > 59:
                    raise ValueError("offset")
                offset = datetime.timedelta(hours=hours, minutes=minutes)
                stamp = stamp - offset if zone[0] == "+" else stamp + offset
            delta = stamp - EPOCH
            seconds = delta.days * 86400 + delta.seconds
        except (ValueError, OverflowError):
            seconds = None
    if len(_timestamp_cache) > CACHE_LIMIT:
        _timestamp_cache.clear()
    _timestamp_cache[text] = seconds
    return seconds


def utc(seconds):
    return EPOCH + datetime.timedelta(seconds=seconds)


_period_cache = {}


def billing_period(seconds):
    """'YYYY-MM' of the UTC month containing `seconds`."""
    text = _period_cache.get(seconds)
    if text is None:
        stamp = utc(seconds)
        text = "%04d-%02d" % (stamp.year, stamp.month)
        _period_cache[seconds] = text
    return text


def parse_number(text):
    """The value of a cost cell quantized to 18 fractional digits (05up); Malformed when the
    text is not a plain or scientific decimal, or is too large for the 1000-digit context."""
    if not NUMBER_RE.match(text):
        raise Malformed("not a number: %r" % text[:40])
    try:
        return Decimal(text).quantize(Q18, context=HOLDING)
    except decimal.InvalidOperation:
        raise Malformed("number out of range: %r" % text[:40]) from None


def format_cost(total):
    """Exactly 10 fractional digits, half to even, no negative zero."""
    rounded = total.quantize(Q10, context=ROUNDING)
    if rounded.is_zero():
        return "0.0000000000"
    return "{:f}".format(rounded)


def format_bucket(seconds):
    stamp = utc(seconds)
    return "%04d-%02d-%02dT%02d:00:00Z" % (stamp.year, stamp.month, stamp.day, stamp.hour)


def bucket_start(hour_seconds, by):
    if by == "hour":
        return hour_seconds
    if by == "day":
        return hour_seconds - hour_seconds % 86400
    stamp = utc(hour_seconds)
    delta = datetime.datetime(stamp.year, stamp.month, 1, tzinfo=datetime.timezone.utc) - EPOCH
    return delta.days * 86400


# ---- files ---------------------------------------------------------------------------------------

def open_text(raw, path):
    """A text stream of the CSV inside the open binary file `raw`: plain, gzip (any number of
    members) or single-entry ZIP, told apart by their magic bytes. BOM dropped; lines split at
    LF only and line ends kept untranslated for the csv module."""
    magic = raw.read(4)
    raw.seek(0)
    if magic[:2] == b"\x1f\x8b":
        binary = gzip.GzipFile(fileobj=raw, mode="rb")
    elif magic == b"PK\x03\x04":
        archive = zipfile.ZipFile(raw)
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) != 1:
            raise DeliveryFailed("%s: cur: zip holds %d files, expected 1" % (path, len(entries)))
        binary = archive.open(entries[0])
    else:
        binary = raw
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="\n")


LONE_CR = "\ue000"  # stands for a CR that is data, so the csv module does not end a line there


class LineFeed:
    """Feeds LF-terminated lines to csv.reader and counts them, so each record's first line is
    known. A CR that is not right before the LF is data in edgecur's dialect; the csv module would
    end the record there, so it is swapped for a private-use character (any checked cell holding
    it is invalid either way)."""

    __slots__ = ("source", "consumed", "pending")

    def __init__(self, source):
        self.source = source
        self.consumed = 0  # lines of the records already taken
        self.pending = 0   # lines of the record being read

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self.source)
        self.pending += 1
        if "\r" in line:
            end = 2 if line.endswith("\r\n") else 0
            body = line[:-end] if end else line
            if "\r" in body:
                line = body.replace("\r", LONE_CR) + line[len(body):]
        return line

    def take(self):
        """The first line number of the record just read; starts the next record."""
        first = self.consumed + 1
        self.consumed += self.pending
        self.pending = 0
        return first


def records(path):
    """Yields (line, fields or None, reason) for each non-empty record of the file; fields is None
    for a malformed record (text after a closing quote). DeliveryFailed when the file ends inside
    a quoted field."""
    with open(path, "rb") as raw, open_text(raw, path) as text:
        feed = LineFeed(iter(text))
        reader = csv.reader(feed, strict=True)
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                line = feed.take()
                if str(error) == "unexpected end of data":
                    raise DeliveryFailed("%s:%d: csv: file ends inside a quoted field"
                                         % (path, line)) from None
                yield line, None, "stray quote (%s)" % error
                continue
            line = feed.take()
            if fields:  # else an empty line
                yield line, fields, None


# ---- aggregation ---------------------------------------------------------------------------------

class Diagnostics:
    def __init__(self, max_locations=10):
        self.malformed = 0
        self.locations = []
        self.max_locations = max_locations

    def add(self, where, reason):
        self.malformed += 1
        if len(self.locations) < self.max_locations:
            self.locations.append("%s: %s" % (where, reason))


def read_file(path, totals, policy, diagnostics):
    """Adds the valid rows of one CUR file to `totals` (hour key -> [u, n, b, a, count])."""
    rows = records(path)
    header = None
    for line, fields, reason in rows:
        if fields is None:
            raise DeliveryFailed("%s:%d: cur: header is not valid csv (%s)" % (path, line, reason))
        header = fields
        break
    if header is None:
        raise DeliveryFailed("%s: cur: file has no header row" % path)
    style = 0 if any("/" in name for name in header) else 1
    position = {}
    for index, name in enumerate(header):
        position.setdefault(name, index)
    columns = {}
    for role in REQUIRED:
        name = COLUMNS[role][style]
        if name not in position:
            raise DeliveryFailed("%s: cur: missing required column %s" % (path, name))
        columns[role] = position[name]
    for role in OPTIONAL:
        columns[role] = position.get(COLUMNS[role][style])  # None: empty in every row
    width = len(header)
    c_period, c_payer, c_account = columns["period"], columns["payer"], columns["account"]
    c_start, c_currency, c_type = columns["start"], columns["currency"], columns["type"]
    c_unblended, c_net, c_blended = columns["unblended"], columns["net"], columns["blended"]
    c_arn = columns["ri_arn"]

    def cell(fields, column):
        return "" if column is None else fields[column]

    def number(fields, role):
        text = cell(fields, columns[role])
        return ZERO if text == "" else parse_number(text)

    for line, fields, reason in rows:
        try:
            if fields is None:
                raise Malformed(reason)
            if len(fields) != width:
                raise Malformed("%d columns, header has %d" % (len(fields), width))
            payer = fields[c_payer]
            account = fields[c_account]
            if not ACCOUNT_RE.match(payer):
                raise Malformed("payer account id %r is not 1-19 digits" % payer[:40])
            if not ACCOUNT_RE.match(account):
                raise Malformed("usage account id %r is not 1-19 digits" % account[:40])
            currency = fields[c_currency]
            if not CURRENCY_RE.match(currency):
                raise Malformed("currency %r is not 3 upper-case letters" % currency[:40])
            period_start = parse_timestamp(fields[c_period])
            if period_start is None:
                raise Malformed("billing period start %r is not a timestamp" % fields[c_period][:40])
            if not -2208988800 <= period_start < 95617584000:  # years 1900-4999, as edgecur
                raise Malformed("billing period start %r is out of range" % fields[c_period][:40])
            usage_start = parse_timestamp(fields[c_start])
            if usage_start is None:
                raise Malformed("usage start %r is not a timestamp" % fields[c_start][:40])
            unblended = number(fields, "unblended")
            net_text = cell(fields, c_net)
            net = unblended if net_text == "" else parse_number(net_text)
            blended = number(fields, "blended")
            line_type = fields[c_type]
            if line_type == "Fee" and cell(fields, c_arn) != "":
                amortized = ZERO
            else:
                kind, roles = AMORTIZED.get(line_type, UNBLENDED_RULE)
                if kind == "unblended":
                    amortized = unblended
                elif kind == "zero":
                    amortized = ZERO
                elif kind == "one":
                    amortized = number(fields, roles[0])
                elif kind == "difference":
                    amortized = number(fields, roles[0]) - number(fields, roles[1])
                else:
                    amortized = number(fields, roles[0]) + number(fields, roles[1])
        except Malformed as error:
            if policy == "fail":
                raise DeliveryFailed("%s:%d: cur: malformed row: %s" % (path, line, error.args[0]))
            diagnostics.add("%s:%d" % (path, line), error.args[0])
            continue
        key = (billing_period(period_start), payer, account, usage_start - usage_start % 3600,
               currency)
        sums = totals.get(key)
        if sums is None:
            totals[key] = [unblended, net, blended, amortized, 1]
        else:
            sums[0] += unblended
            sums[1] += net
            sums[2] += blended
            sums[3] += amortized
            sums[4] += 1


def run_delivery(files, policy, diagnostics):
    """Hour totals of one delivery (all its files); DeliveryFailed when it cannot be applied."""
    totals = {}
    for path in files:
        try:
            read_file(path, totals, policy, diagnostics)
        except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile, UnicodeError) as error:
            raise DeliveryFailed("%s: cur: cannot read file (%s)" % (path, error)) from None
    return totals


class Store:
    """What edgecur's store holds: hour totals per billing period, replaced per period."""

    def __init__(self):
        self.periods = {}  # 'YYYY-MM' -> {key: sums}

    def apply(self, totals):
        fresh = {}
        for key, sums in totals.items():
            fresh.setdefault(key[0], {})[key] = sums
        self.periods.update(fresh)
        return sorted(fresh)

    def report(self, by="hour"):
        """The report CSV lines (without line ends), header first."""
        buckets = {}
        for period_rows in self.periods.values():
            for (period, payer, account, hour, currency), sums in period_rows.items():
                key = (period, payer, account, format_bucket(bucket_start(hour, by)), currency)
                total = buckets.get(key)
                if total is None:
                    buckets[key] = list(sums)
                else:
                    for index in range(5):
                        total[index] += sums[index]
        lines = [HEADER]
        for key in sorted(buckets, key=lambda k: tuple(part.encode("utf-8", "surrogateescape")
                                                      for part in k)):
            sums = buckets[key]
            lines.append(",".join(key) + "," + ",".join(format_cost(v) for v in sums[:4]) +
                         "," + str(sums[4]))
        return lines


OPTION_NAMES = ("by", "malformed", "locations")


def parse_arguments(argv):
    """(options, deliveries): each delivery a list of files. Options may sit anywhere before a
    lone `--` ends them (without --deliveries) or between files (with it, `--` separates)."""
    options = {"by": "hour", "malformed": "skip", "deliveries": False, "locations": "10"}
    groups = [[]]
    args = list(argv)
    index = 0
    only_files = False
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            if options["deliveries"]:
                groups.append([])
            else:
                only_files = True
            continue
        if only_files or not arg.startswith("--"):
            groups[-1].append(arg)
            continue
        name, has_value, value = arg[2:].partition("=")
        if name == "deliveries" and not has_value:
            options["deliveries"] = True
        elif name in OPTION_NAMES:
            if not has_value:
                if index >= len(args):
                    raise SystemExit("cur_reference: --%s needs a value" % name)
                value = args[index]
                index += 1
            options[name] = value
        elif name == "help":
            print(__doc__)
            raise SystemExit(0)
        else:
            raise SystemExit("cur_reference: unknown option %s" % arg)
    if options["by"] not in ("hour", "day", "month"):
        raise SystemExit("cur_reference: --by must be hour, day or month")
    if options["malformed"] not in ("skip", "fail"):
        raise SystemExit("cur_reference: --malformed must be skip or fail")
    options["locations"] = int(options["locations"])
    groups = [group for group in groups if group]
    if not groups:
        raise SystemExit("cur_reference: no input files")
    return options, groups


def main(argv=None):
    options, deliveries = parse_arguments(sys.argv[1:] if argv is None else argv)
    store = Store()
    status = 0
    for number, files in enumerate(deliveries, 1):
        diagnostics = Diagnostics(options["locations"])
        try:
            totals = run_delivery(files, options["malformed"], diagnostics)
        except DeliveryFailed as error:
            print("cur_reference: delivery %d failed: %s" % (number, error.args[0]),
                  file=sys.stderr)
            status = 1
            continue
        periods = store.apply(totals)
        print("cur_reference: delivery %d: %d malformed rows; periods %s" %
              (number, diagnostics.malformed, " ".join(periods) or "none"), file=sys.stderr)
        for location in diagnostics.locations:
            print("  " + location, file=sys.stderr)
    out = sys.stdout.buffer
    for line in store.report(options["by"]):
        out.write(line.encode("utf-8", "surrogateescape") + b"\n")
    out.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
