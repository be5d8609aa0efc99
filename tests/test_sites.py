"""Site rules describe each site's boilerplate, not the seeds' sentences: new captures clean too.

Each capture below is made up in the shape of its site's pages, with a headline, body
and details that appear in no seed.
"""
from __future__ import annotations

import pytest

MEMRI = """Jihadi Channel Urges Attacks On Festival Goers In Europe

print
June 12, 2024

The following report is now a complimentary offering from MEMRI's Jihad and Terrorism Threat Monitor (JTTM). For JTTM subscription information, click here.

On June 10, 2024, a pro-ISIS channel published a poster calling for attacks during summer festivals.

Poster Details

The poster shows a crowd and a message in English and Arabic.

The full text of this post is available to subscribers.

Please login or register to request subscription information from MEMRI

.

The Russia Studies Project

The Russia Studies Project tracks media and official statements from Russia.

Read More
"""

AL_MONITOR = """Skip to main content

Egypt and Sudan agree on new Nile water talks

Cairo and Khartoum have set a timetable for technical talks over the dam.

CAIRO — Egypt and Sudan agreed on Monday to resume technical negotiations.

The foreign ministers met in Cairo for four hours, officials said.

Related Topics

Subscribe for unlimited access

All news, events, memos, reports, and analysis, and access all 10 of our newsletters. Learn more

$12 monthly or $90 annually ($7.50/month)
OR

Continue reading this article for free

By signing up, you agree to Al-Monitor’s Terms and Conditions and Privacy Policy. Already have an account? Log in
"""

AL_MONITOR_REGISTER = """Intel: Senators press White House on Gulf arms sales

Two senators asked the administration on Thursday to explain a planned sale of drones.

Know more: Read our earlier coverage of the sale.

Continue reading this article by registering at no cost and get unlimited access to:

  • Archived articles
  • Exclusive events
Found in: arms sales, gulf, congress

Elizabeth Hagedorn is Al-Monitor's Washington correspondent. She covers Congress and the Pentagon.
"""

INDEPENDENT = """Tuesday 3 March 2020

Floods close roads across three counties

Flood water covers the main road near Athlone. Photo: Frank McGrath
Flood water covers the main road near Athlone. Photo: Frank McGrath

Ciara O'Brien

Heavy rain closed dozens of roads across the midlands yesterday, the council said.

Please log in or register with for free access to this article.

Log In

Engineers expect the river to peak on Thursday. (© Independent News Service)

Today's news headlines, directly to your inbox every morning.

Editors Choice

Also in Irish News
"""

TUNDRA = """Islam Sweden

Sweden: Another grenade attack in Malmö……

Nothing new to see here…

Police say a grenade exploded outside a building overnight.

Leave a Reply

Your email address will not be published.

This site uses Akismet to reduce spam. Learn how your comment data is processed.
"""

CASES = {
    "memri": (MEMRI, "https://www.memri.org/jttm/another-report", "memri.org",
              ["Jihadi Channel Urges Attacks", "On June 10, 2024", "Poster Details",
               "The poster shows a crowd"]),
    "al-monitor-metered": (AL_MONITOR, "https://www.al-monitor.com/originals/2024/06/nile",
                           "al-monitor.com",
                           ["Egypt and Sudan agree", "Cairo and Khartoum", "CAIRO — Egypt",
                            "The foreign ministers met"]),
    "al-monitor-register": (AL_MONITOR_REGISTER, "https://www.al-monitor.com/pulse/x.html",
                            "al-monitor.com",
                            ["Intel: Senators press", "Two senators asked", "Know more:"]),
    "independent": (INDEPENDENT, "https://www.independent.ie/irish-news/floods-1.html",
                    "independent.ie",
                    ["Floods close roads", "Heavy rain closed dozens",
                     "Engineers expect the river to peak on Thursday."]),
    "tundra": (TUNDRA, "https://tundratabloids.com/2024/06/01/sweden-grenade/",
               "tundratabloids.com",
               ["Sweden: Another grenade attack", "Nothing new to see here",
                "Police say a grenade"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_new_capture_keeps_exactly_the_article(cleaner, case):
    capture, url, site, kept = CASES[case]
    result = cleaner.clean_and_explain(capture, url=url)
    lines = [line for line in result.text.splitlines() if line.strip()]
    assert len(lines) == len(kept), result.text
    for line, start in zip(lines, kept):
        assert line.startswith(start)
    assert result.metadata.site == site


@pytest.mark.parametrize("case", ["memri", "al-monitor-metered", "al-monitor-register",
                                  "independent"])
def test_new_capture_selects_its_site_by_signature(cleaner, case):
    capture, url, site, _ = CASES[case]
    assert cleaner.clean_and_explain(capture).metadata.site == site
    assert cleaner.clean(capture) == cleaner.clean(capture, url=url)


def test_new_capture_metadata(cleaner):
    result = cleaner.clean_and_explain(INDEPENDENT, url=CASES["independent"][1])
    assert (result.metadata.author, result.metadata.date) == ("Ciara O'Brien", "2020-03-03")
    assert result.paywalled
    bio = cleaner.clean_and_explain(AL_MONITOR_REGISTER, url=CASES["al-monitor-register"][1])
    assert bio.metadata.author == "Elizabeth Hagedorn"
