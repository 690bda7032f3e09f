"""Allies or competitive partners? Rebuild the Russia–Iran comparison from a pinned release.

What a researcher reproducing the comparison would do: pin one release of the MENA
Alignments data package, download its zip and check it against the release's published
sha256, validate and read it with frictionless and pandas, rebuild the comparison of Russia
and Iran from the CSVs alone by the published definitions (the README's alignment section;
the codebook's alignment terms), once as two actors and once with every actor below each
(tree=true), and check that /api/v1/alignment/ answers the same for that release.

Run it against a server, e.g. `make run` in another terminal:

    pip install -e ".[examples]"     # pandas and requests; frictionless comes with the project
    python examples/russia_iran.py --url http://127.0.0.1:8000 [--release 1.1.0]

Without --release it asks the server once for its latest release and pins that version.
Exit status: 0 when the rebuild equals the API's answer, 1 (printing the differences) when
it does not, 2 when it could not get that far (no server, an unknown release, a bad zip).
"""

import argparse
import hashlib
import io
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import frictionless
import pandas as pd
import requests

SIDES = ("russia", "iran")
RESOURCES = ("actors", "issues", "positions", "relations", "events", "event_actors")
VERDICTS = ("agree", "partly", "diverge", "compete")
STANCE_SCORES = {"supports": 1.0, "mixed": 0.5, "neutral": 0.5, "opposes": 0.0}
ACTING_ROLES = {"initiator", "supporter"}
DIGITS = 4


class Refused(Exception):
    """Something this script cannot go past: it says what, and exits with status 2."""


def get(session, url, **params):
    response = session.get(url, params=params, timeout=60)
    if response.status_code != 200:
        raise Refused(f"GET {response.url} answered {response.status_code}: {response.text}")
    return response


# ---------------------------------------------------------------------------------------
# The release: pinned, downloaded, checked, read


def pin_release(session, url, version):
    """The release's record; `latest` is resolved here, once, and never asked for again."""
    return get(session, f"{url}/api/v1/releases/{version or 'latest'}/").json()


def download(session, url, release, folder):
    """Unpack the release's zip into ``folder``, refusing bytes that are not the release's."""
    data = get(session, f"{url}/datapackage/{release['version']}.zip").content
    digest = hashlib.sha256(data).hexdigest()
    if digest != release["zip_sha256"]:
        raise Refused(f"The zip's sha256 is {digest}, the release's is {release['zip_sha256']}.")
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    return Path(folder) / "datapackage.json"


def read_package(descriptor):
    """(package, {resource: DataFrame}) after frictionless validated every resource."""
    package = frictionless.Package(descriptor)
    report = package.validate()
    if not report.valid:
        errors = report.flatten(["title", "rowNumber", "fieldName", "message"])
        raise Refused("The package is not valid:\n" + "\n".join(map(str, errors)))
    tables = {}
    for name in RESOURCES:
        if not package.has_resource(name):
            continue  # relations came with 1.1.0: an earlier release simply has none
        resource = package.get_resource(name)
        # frictionless reads each value with its Table Schema type: dates, integers, None.
        rows = [row.to_dict() for row in resource.read_rows()]
        tables[name] = pd.DataFrame(rows, columns=resource.schema.field_names)
    tables.setdefault("relations", pd.DataFrame(columns=["actor", "counterpart", "kind", "issue"]))
    return package, tables


# ---------------------------------------------------------------------------------------
# The comparison, from the CSVs alone


def side(actors, slug, tree):
    """The actor, and with ``tree`` every actor below it through ``parent``."""
    members = {slug}
    while tree:
        below = set(actors.loc[actors["parent"].isin(members), "slug"]) - members
        if not below:
            break
        members |= below
    return members


def latest_positions(positions, members):
    """Per issue, the side's position whose stance counts, and the ids of all its positions.

    The latest is the one with the latest date_end, else ongoing_as_of, else date_start;
    an undated position is the oldest; between equal dates the highest id wins.
    """
    held = positions[positions["actor"].isin(members)].copy()
    # An earlier minor version may lack a date column (1.0.0 has no ongoing_as_of).
    dates = held.reindex(columns=["date_end", "ongoing_as_of", "date_start"]).apply(pd.to_datetime)
    held["when"] = dates["date_end"].fillna(dates["ongoing_as_of"]).fillna(dates["date_start"])
    held = held.sort_values(["when", "id"], na_position="first")
    by_issue = held.groupby("issue")
    return pd.DataFrame(
        {
            "stance": by_issue["stance"].last(),
            "ids": by_issue["id"].agg(lambda ids: sorted(ids.tolist())),
        }
    )


def verdict(stance_a, stance_b, competing):
    if competing:
        return "compete"
    if stance_a == stance_b:
        return "agree"
    if {stance_a, stance_b} == {"supports", "opposes"}:
        return "diverge"
    return "partly"


def kappa(pairs):
    """Cohen's kappa of the two sides' stances; None when n = 0 or pe = 1."""
    n = len(pairs)
    if n == 0:
        return None
    po = sum(a == b for a, b in pairs) / n
    shares_a = Counter(a for a, _ in pairs)
    shares_b = Counter(b for _, b in pairs)
    pe = sum((shares_a[s] / n) * (shares_b[s] / n) for s in STANCE_SCORES)
    return None if pe == 1 else (po - pe) / (1 - pe)


def s_score(pairs):
    """Signorino and Ritter's S: 1 - 2 * mean |x_a - x_b|; None when n = 0."""
    if not pairs:
        return None
    distance = sum(abs(STANCE_SCORES[a] - STANCE_SCORES[b]) for a, b in pairs) / len(pairs)
    return 1 - 2 * distance


def rounded(value):
    return None if value is None else round(value, DIGITS)


def event_side(roles_a, roles_b):
    if ("target" in roles_a and roles_b & ACTING_ROLES) or (
        "target" in roles_b and roles_a & ACTING_ROLES
    ):
        return "opposite"
    return "same"


def rebuild(tables, tree):
    """The comparison as {"issues": {slug: ...}, "events": {id: side}, "summary": {...}}."""
    side_a, side_b = (side(tables["actors"], slug, tree) for slug in SIDES)
    relations = tables["relations"]
    between = relations[
        (relations["actor"].isin(side_a) & relations["counterpart"].isin(side_b))
        | (relations["actor"].isin(side_b) & relations["counterpart"].isin(side_a))
    ]
    competing = set(between.loc[between["kind"] == "competition", "issue"].dropna())

    both = pd.merge(
        latest_positions(tables["positions"], side_a),
        latest_positions(tables["positions"], side_b),
        left_index=True,
        right_index=True,
        suffixes=("_a", "_b"),
    )
    issues = {
        slug: {
            "stance_a": row.stance_a,
            "stance_b": row.stance_b,
            "verdict": verdict(row.stance_a, row.stance_b, slug in competing),
            "positions_a": row.ids_a,
            "positions_b": row.ids_b,
        }
        for slug, row in both.sort_index().iterrows()
    }

    participants = tables["event_actors"]
    roles_a = participants[participants["actor"].isin(side_a)].groupby("event")["role"].agg(set)
    roles_b = participants[participants["actor"].isin(side_b)].groupby("event")["role"].agg(set)
    events = {
        int(event): event_side(roles_a[event], roles_b[event])
        for event in roles_a.index.intersection(roles_b.index)
    }

    pairs = [(item["stance_a"], item["stance_b"]) for item in issues.values()]
    verdicts = Counter(item["verdict"] for item in issues.values())
    n = len(issues)
    summary = {
        "issues_compared": n,
        **{name: verdicts[name] for name in VERDICTS},
        "agreement": rounded(verdicts["agree"] / n) if n else None,
        "kappa": rounded(kappa(pairs)),
        "s_score": rounded(s_score(pairs)),
        "events_same": sum(1 for s in events.values() if s == "same"),
        "events_opposite": sum(1 for s in events.values() if s == "opposite"),
        "relations": dict(Counter(between["kind"])),
    }
    return {"issues": issues, "events": events, "summary": summary}


# ---------------------------------------------------------------------------------------
# The API's answer, and the check


def from_api(session, url, version, tree):
    params = {"actors": ",".join(SIDES), "release": version}
    if tree:
        params["tree"] = "true"
    response = get(session, f"{url}/api/v1/alignment/", **params)
    if response.headers.get("Dataset-Version") != version:
        raise Refused(f"{response.url} answered from {response.headers.get('Dataset-Version')}.")
    body = response.json()
    summary = dict(body["summary"])
    # The API lists every relation kind, those with no relation as 0.
    summary["relations"] = {kind: n for kind, n in summary["relations"].items() if n}
    issues = {
        item["issue"]["slug"]: {
            "stance_a": item["stance_a"],
            "stance_b": item["stance_b"],
            "verdict": item["verdict"],
            "positions_a": sorted(p["id"] for p in item["positions_a"]),
            "positions_b": sorted(p["id"] for p in item["positions_b"]),
        }
        for item in body["issues"]
    }
    events = {event["id"]: event["side"] for event in body["events"]}
    return response.url, {"issues": issues, "events": events, "summary": summary}


def differences(rebuilt, api):
    """Every way the two comparisons differ, in words (none when they are equal)."""
    found = []
    for part in ("issues", "events", "summary"):
        mine, theirs = rebuilt[part], api[part]
        for key in sorted(mine.keys() | theirs.keys(), key=str):
            if mine.get(key) != theirs.get(key):
                found.append(f"{part} {key}: rebuilt {mine.get(key)!r}, API {theirs.get(key)!r}")
    return found


def issue_table(tables, comparisons):
    """One row per issue compared: each side's stance and the verdict, per comparison."""
    columns = {
        label: pd.DataFrame.from_dict(result["issues"], orient="index")[
            ["stance_a", "stance_b", "verdict"]
        ].rename(columns={"stance_a": SIDES[0], "stance_b": SIDES[1]})
        for label, result in comparisons.items()
    }
    table = pd.concat(columns, axis=1).fillna("-").sort_index()
    country = tables["issues"].set_index("slug")["country"].reindex(table.index).fillna("")
    table.index = pd.MultiIndex.from_arrays([table.index, country], names=["issue", "country"])
    return table


def events_table(tables, comparisons):
    """The events both sides took part in, and whether they were on the same side."""
    sides = pd.DataFrame(
        {label: pd.Series(result["events"], dtype=object) for label, result in comparisons.items()}
    )
    events = tables["events"].set_index("id").loc[sides.index, ["date_start", "title"]]
    events["title"] = events["title"].str.slice(0, 60)
    return events.join(sides.fillna("-")).fillna("").sort_index()


def summary_table(comparisons):
    """The summary figures, one column per comparison (relation kinds with none count 0)."""
    kinds = sorted(
        {kind for result in comparisons.values() for kind in result["summary"]["relations"]}
    )
    columns = {}
    for label, result in comparisons.items():
        summary = dict(result["summary"])
        relations = summary.pop("relations")
        columns[label] = {
            **summary,
            **{f"relations {kind}": relations.get(kind, 0) for kind in kinds},
        }
    # A column of its own type per row: counts stay integers beside the ratios.
    return pd.DataFrame(
        {label: pd.Series(values, dtype=object) for label, values in columns.items()}
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server's base URL")
    parser.add_argument("--release", help="a version such as 1.1.0 (default: the latest)")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    session = requests.Session()
    try:
        release = pin_release(session, url, args.release)
        version = release["version"]
        how = "as asked" if args.release else f"the latest at {url}"
        print(f"Pinned release {version} ({how})")
        with tempfile.TemporaryDirectory() as folder:
            descriptor = download(session, url, release, folder)
            print(f"Downloaded {version}.zip: its sha256 is the release's, {release['zip_sha256']}")
            package, tables = read_package(descriptor)
            if package.version != version:
                raise Refused(f"The zip holds version {package.version}, not {version}.")
            print(f"Validated with frictionless: {package.name} {package.version}, valid")
        comparisons, checked = {}, []
        for tree in (False, True):
            label = "tree=true" if tree else "actors only"
            comparisons[label] = rebuild(tables, tree)
            address, api = from_api(session, url, version, tree)
            checked.append((address, differences(comparisons[label], api)))
    except (Refused, requests.RequestException) as error:
        print(error, file=sys.stderr)
        return 2

    with pd.option_context("display.width", 200, "display.max_colwidth", 48):
        print(f"\n{SIDES[0]} vs {SIDES[1]}, release {version}, rebuilt from the CSVs:\n")
        print(issue_table(tables, comparisons).to_string())
        print("\nEvents both took part in (side: same or opposite):\n")
        titles = {"title": "{:<60}".format}  # text reads best aligned left
        print(events_table(tables, comparisons).to_string(formatters=titles, justify="left"))
        print()
        print(summary_table(comparisons).to_string())
    print()
    status = 0
    for address, found in checked:
        print(f"{'equal' if not found else 'DIFFERENT'}: {address}")
        for difference in found:
            print(f"  {difference}")
        status = status or int(bool(found))
    return status


if __name__ == "__main__":
    sys.exit(main())
