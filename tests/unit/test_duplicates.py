"""Which complaints are proposed as one group (issue: One door, 6): same matter, near
the same place, within the window, similar text — from any source."""

from __future__ import annotations

import datetime as dt

from yimen.platform.intake.duplicates import Complaint, metres_between, proposals

T0 = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)


def _c(id_, matter="CG-0014", place="珠江路88号", text="饭店油烟直排熏黑窗户", hours=0, at=None):
    lat, lng = at or (None, None)
    return Complaint(id_, matter, place, text, T0 + dt.timedelta(hours=hours), lat, lng)


def test_the_same_thing_reported_twice_is_proposed_and_unrelated_ones_are_not():
    new = _c("new", place="玄武区珠江路88号门口", text="珠江路88号饭店油烟直排，熏黑窗户")
    found = proposals(
        new,
        [
            _c("same"),
            _c("other-matter", matter="CG-0001"),
            _c("far", place="仙林大道1号"),
            _c("old", hours=-24 * 8),
            _c("different-text", text="夜间施工噪音扰民"),
        ],
    )
    assert [m.id for m in found] == ["same"]


def test_with_coordinates_near_means_within_three_hundred_metres():
    xinjiekou = (32.0416, 118.7787)
    assert 100 < metres_between(xinjiekou, (32.0426, 118.7797)) < 150
    new = _c("new", place="A", at=xinjiekou)
    near = _c("near", place="B", at=(32.0426, 118.7797))
    far = _c("far", place="A", at=(32.0616, 118.7787))  # ~2.2 km north, same address text
    assert [m.id for m in proposals(new, [near, far])] == ["near"]


def test_without_a_matter_nothing_is_proposed():
    assert proposals(_c("new", matter=None), [_c("x", matter=None)]) == []
