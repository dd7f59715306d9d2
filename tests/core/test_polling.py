from procurement.core.polling import poll_delay_ms, poll_schedule


def test_the_page_polls_quickly_at_first_then_once_a_second():
    assert [poll_delay_ms(n) for n in (0, 14)] == [200, 200]
    assert [poll_delay_ms(n) for n in (15, 34)] == [500, 500]
    assert poll_delay_ms(35) == poll_delay_ms(10_000) == 1000
    assert poll_schedule(0) == {"poll_next": 1, "poll_delay_ms": 200}
    assert poll_schedule(-5)["poll_next"] == 1
