"""One resolver for every command that names a person: as people type them, in any case."""

from scorebot.domain.people import Found, resolve
from scorebot.domain.reports import ReportRequest, parse_report

MEMBERS = {"@bob:x": "Bob", "@carol:x": "Carol Smith", "@sam1:x": "Sam", "@sam2:x": "Sam", "@bobby:x": "Bobby"}


def test_every_way_of_typing_a_member_finds_them():
    for typed in ("@carol:x", "@Carol:X", "@carol", "carol", "CAROL", '"Carol Smith"', '"carol smith"',
                  "“Carol Smith”", "@Carol Smith"):
        assert resolve(typed, MEMBERS) == Found(typed.strip('"“”').strip(), user_id="@carol:x"), typed


def test_a_quoted_members_name_is_the_member_never_a_phantom():
    assert resolve('"Carol Smith"', MEMBERS, quoted_may_be_anyone=True).user_id == "@carol:x"
    assert resolve('"Pat (phone)"', MEMBERS, quoted_may_be_anyone=True) == Found("Pat (phone)", name="Pat (phone)")
    assert resolve('"Pat (phone)"', MEMBERS).nobody  # a command that takes members only


def test_several_people_or_nobody_are_said_so():
    assert resolve("sam", MEMBERS).several == ("@sam1:x", "@sam2:x")
    assert resolve("@zed", MEMBERS).nobody
    assert resolve("@zed:elsewhere.org", MEMBERS).user_id == "@zed:elsewhere.org"  # a whole ID is itself


def test_a_report_names_its_subject_as_people_type_them():
    assert parse_report("@bob keeps messaging me", MEMBERS) == ReportRequest("keeps messaging me", subject="@bob:x")
    assert parse_report("anonymous bob keeps messaging me", MEMBERS) == \
        ReportRequest("keeps messaging me", subject="@bob:x", anonymous=True)
    assert parse_report('"Carol Smith" shouted', MEMBERS).subject == "@carol:x"
    assert parse_report("“Sam from the coalition” shouted", MEMBERS) == \
        ReportRequest("shouted", subject_name="Sam from the coalition")
    assert "could be several people" in parse_report("@sam said things", MEMBERS).plain
    assert "I don't know anyone called “zed”" in parse_report("@zed said things", MEMBERS).plain
    assert parse_report("someone at the door shouted", MEMBERS) == ReportRequest("someone at the door shouted")
