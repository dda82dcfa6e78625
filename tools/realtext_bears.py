#!/usr/bin/env python3
"""Real-text projects that no weight is fitted on, from Bears: Spoon, Spring Data Commons, Traccar.

../shared/realtext/build.py lays Bugs.jar reports out as talk before their fixes. Quatrain's
report file also holds reports of Bears (bugs of GitHub projects found by their CI), and three
of its projects have a few: INRIA/spoon (16 GitHub issues, one squashed pull request per fix,
"fix: ... (#1102)"), spring-projects/spring-data-commons (15 JIRA tickets, fixes cherry-picked
to maintenance branches) and traccar/traccar (5 GitHub issues from users of GPS trackers,
"Fix Meitrack temperature (fix #3604)"), unlike the Apache projects in the habits that matter
here. (Bears' jackson-databind entries belong to a Defects4J project and are never read; its
molgenis fixes are pull-request merges, which the mixed lists leave out.) Quatrain names a
Bears fix by its CI build, not its commit, so the commit is found by the developer's message
Quatrain keeps (its subject, on the mirror's default branch). Then build.py's own code builds
each project as it builds the Bugs.jar ones:

    # fetch github:INRIA/spoon, github:spring-projects/spring-data-commons and
    # github:traccar/traccar (the search tool's fetch) into MIRRORS first
    python3 tools/realtext_bears.py --mirrors MIRRORS --out REALTEXT_DIR
    cargo run --release --example quality -- --realtext REALTEXT_DIR   # prints them apart
"""
import json
import subprocess

import realtext_extra

# project -> (its Bears builds' prefix, mirror dir, upstream owner/name)
PROJECTS = {
    "spoon": ("INRIA-spoon-", "INRIA+spoon", "INRIA/spoon"),
    "sdc": ("spring-projects-spring-data-commons-", "spring-projects+spring-data-commons", "spring-projects/spring-data-commons"),
    "traccar": ("traccar-traccar-", "traccar+traccar", "traccar/traccar"),
}


def git(gd, *args, check=True):
    return subprocess.run(["git", "--git-dir", gd, *args], capture_output=True, text=True, check=check)


def quatrain_json(q, path):
    return json.loads(git(q, "show", "HEAD:" + path).stdout)


def bears_reports(q, proj, mirror):
    """Quatrain's reports of `proj` keyed as build.py reads Bugs.jar's: `<proj>-<fix sha, 8>`."""
    index = quatrain_json(q, "data/bears_index_dict.json")
    messages = quatrain_json(q, "data/CommitMessage/Bears_developer_commit_message.json")
    reports = quatrain_json(q, "data/BugReport/Bug_Report_All.json")
    # Subject -> commits on the default branch (the fix as it landed).
    landed = {}
    for line in git(mirror, "log", "--format=%H %s", "HEAD", "--").stdout.splitlines():
        sha, _, subject = line.partition(" ")
        landed.setdefault(subject.strip(), []).append(sha)
    out, unknown = {}, []
    for bears, build in sorted(index.items(), key=lambda kv: int(kv[0].split("-")[1])):
        key = bears.lower()
        if not build.startswith(PROJECTS[proj][0]) or key not in reports:
            continue
        # Quatrain joins the message's lines with two spaces; its first is the subject.
        subject = messages.get(key, "").split("  ")[0].strip()
        shas = landed.get(subject, [])
        if len(shas) != 1:
            unknown.append((key, subject, len(shas)))
            continue
        out["%s-%s" % (proj, shas[0][:8])] = reports[key]
    for key, subject, n in unknown:
        print("   %s: %d commits on the default branch say %r; left out" % (key, n, subject[:70]))
    return out


def main():
    args = realtext_extra.arguments(__doc__)
    quatrain = realtext_extra.mirror(args.mirrors, realtext_extra.QUATRAIN_DIR)
    reports = {}
    for proj, (_, mdir, _) in PROJECTS.items():
        reports.update(bears_reports(quatrain, proj, realtext_extra.mirror(args.mirrors, mdir)))

    def prepare(build):
        for proj, (_, mdir, upstream) in PROJECTS.items():
            build.PROJECTS[proj] = (None, mdir, upstream, None)
        build.load_inputs = lambda mirrors: (quatrain, reports, None)
    realtext_extra.build(args.shared, args.mirrors, args.out, list(PROJECTS), prepare)


if __name__ == "__main__":
    main()
