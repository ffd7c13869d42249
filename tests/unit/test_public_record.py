"""What the public sees of another person's complaint: the road, never the house."""

import pytest

from yimen.platform.intake.public_record import approximate_coordinate, approximate_place


@pytest.mark.parametrize(
    ("place", "public"),
    [
        ("玄武区珠江路88号", "玄武区珠江路"),
        ("玄武区珠江路88号3栋2单元501室", "玄武区珠江路"),
        ("秦淮区中华路八十八号", "秦淮区中华路"),
        ("玄武区新街口街道中山路1号院", "玄武区新街口街道中山路"),
        ("玄武区长江路12-3", "玄武区长江路"),
        ("玄武区北京东路", "玄武区北京东路"),
        ("玄武湖公园东门", "玄武湖公园东门"),
        ("32.058123,118.796543", "32.058,118.797"),
    ],
)
def test_the_house_number_is_dropped_and_the_road_kept(place, public):
    assert approximate_place(place) == public


def test_coordinates_are_kept_to_about_a_hundred_metres():
    assert approximate_coordinate(32.0581234) == 32.058
    assert approximate_coordinate(None) is None
