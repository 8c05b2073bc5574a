"""The coalition's member institutions, the shared skill taxonomy and qualification catalogue.

The member list is the coalition's own; descriptions are short summaries written for this app.
"""

from __future__ import annotations

from app.models import InstitutionKind as K

# (name, short name, slug, kind, founder, description)
INSTITUTIONS: list[tuple[str, str, str, K, bool, str]] = [
    (
        "Galeria Sztuki Współczesnej w Opolu",
        "GSW",
        "gsw",
        K.GALLERY,
        True,
        "Galeria pokazująca sztukę współczesną: wystawy, spotkania z artystami i warsztaty.",
    ),
    (
        "Miejska Biblioteka Publiczna im. Jana Pawła II w Opolu",
        "MBP Opole",
        "mbp-opole",
        K.LIBRARY,
        True,
        "Sieć filii bibliotecznych w całym mieście, zajęcia czytelnicze dla dzieci i seniorów.",
    ),
    (
        "Muzeum Polskiej Piosenki w Opolu",
        "Muzeum Piosenki",
        "muzeum-piosenki",
        K.MUSEUM,
        True,
        "Interaktywne muzeum historii polskiej piosenki przy amfiteatrze tysiąclecia.",
    ),
    (
        "Muzeum Wsi Opolskiej w Opolu",
        "Muzeum Wsi",
        "muzeum-wsi",
        K.MUSEUM,
        True,
        "Skansen z zabytkową architekturą wiejską regionu, jarmarki i pokazy dawnych rzemiosł.",
    ),
    (
        "Opolskie Centrum Wspierania Inicjatyw Pozarządowych",
        "OCWIP",
        "ocwip",
        K.NGO,
        True,
        "Organizacja wspierająca stowarzyszenia, fundacje i grupy nieformalne z Opolszczyzny.",
    ),
    (
        "Archiwum Państwowe w Opolu",
        "Archiwum",
        "archiwum",
        K.ARCHIVE,
        False,
        "Gromadzi i udostępnia dokumenty z dziejów regionu; prowadzi digitalizację zbiorów.",
    ),
    (
        "Centralne Muzeum Jeńców Wojennych w Opolu",
        "CMJW",
        "cmjw",
        K.MUSEUM,
        False,
        "Muzeum upamiętniające losy jeńców wojennych, z oddziałem w Łambinowicach.",
    ),
    (
        "Fundacja Do dzieła",
        "Do dzieła",
        "do-dziela",
        K.NGO,
        False,
        "Fundacja prowadząca projekty artystyczne i edukacyjne dla mieszkańców regionu.",
    ),
    (
        "Fundacja Geko im. Moniki Mnich",
        "Fundacja Geko",
        "fundacja-geko",
        K.NGO,
        False,
        "Fundacja działająca na rzecz kultury, edukacji i aktywności lokalnej.",
    ),
    (
        "Fundacja Opolskie Dziouchy",
        "Opolskie Dziouchy",
        "opolskie-dziouchy",
        K.NGO,
        False,
        "Fundacja promująca aktywność kobiet i dziedzictwo regionu.",
    ),
    (
        "Instytut Śląski w Opolu",
        "Instytut Śląski",
        "instytut-slaski",
        K.RESEARCH,
        False,
        "Instytut badawczy zajmujący się historią i kulturą Śląska, z biblioteką naukową.",
    ),
    (
        "Muzeum Śląska Opolskiego w Opolu",
        "MŚO",
        "mso",
        K.MUSEUM,
        False,
        "Największe muzeum regionu: archeologia, historia, sztuka i etnografia Śląska Opolskiego.",
    ),
    (
        "Opolski Teatr Lalki i Aktora im. A. Smolki",
        "OTLiA",
        "otlia",
        K.THEATRE,
        False,
        "Teatr lalek grający dla dzieci i dorosłych, organizator festiwali teatralnych.",
    ),
    (
        "Stowarzyszenie Przyjaciół Centralnego Muzeum Jeńców Wojennych",
        "Przyjaciele CMJW",
        "przyjaciele-cmjw",
        K.NGO,
        False,
        "Stowarzyszenie wspierające muzeum w pracy edukacyjnej i upamiętniającej.",
    ),
    (
        "Teatr im. Jana Kochanowskiego w Opolu",
        "Teatr Kochanowskiego",
        "teatr-kochanowskiego",
        K.THEATRE,
        False,
        "Teatr dramatyczny z trzema scenami, gospodarz Opolskich Konfrontacji Teatralnych.",
    ),
    (
        "Wojewódzka Biblioteka Publiczna im. E. Smołki",
        "WBP Opole",
        "wbp-opole",
        K.LIBRARY,
        False,
        "Biblioteka wojewódzka: zbiory regionalne, czytelnia, wydarzenia literackie.",
    ),
]

# group code -> (Polish name, English name, [(skill code, Polish, English), ...])
SKILL_GROUPS: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    (
        "guiding",
        "Oprowadzanie i obsługa zwiedzających",
        "Guiding and visitor service",
        [
            ("guiding_tours", "Oprowadzanie grup", "Guiding groups"),
            ("visitor_desk", "Obsługa punktu informacji", "Information desk"),
            ("exhibition_watch", "Dyżury na wystawach", "Gallery attendant duty"),
        ],
    ),
    (
        "education",
        "Edukacja i warsztaty dla dzieci",
        "Education and workshops for children",
        [
            ("kids_workshops", "Prowadzenie warsztatów dla dzieci", "Running children's workshops"),
            ("reading_aloud", "Głośne czytanie", "Reading aloud"),
            ("homework_help", "Pomoc w nauce", "Homework help"),
        ],
    ),
    (
        "events",
        "Wydarzenia i logistyka",
        "Events and logistics",
        [
            ("event_setup", "Przygotowanie i montaż wydarzeń", "Event setup"),
            ("ticketing", "Obsługa biletów i wejść", "Ticketing and entrances"),
            ("audience_care", "Opieka nad publicznością", "Audience care"),
        ],
    ),
    (
        "archives",
        "Archiwa i digitalizacja",
        "Archives and digitisation",
        [
            ("digitisation", "Skanowanie i digitalizacja", "Scanning and digitisation"),
            ("cataloguing", "Opis i katalogowanie zbiorów", "Cataloguing collections"),
            ("transcription", "Transkrypcja dawnych pism", "Transcribing old documents"),
        ],
    ),
    (
        "media",
        "Fotografia i wideo",
        "Photography and video",
        [
            ("photography", "Fotografia", "Photography"),
            ("video", "Nagrywanie i montaż wideo", "Video recording and editing"),
        ],
    ),
    (
        "promotion",
        "Media społecznościowe i promocja",
        "Social media and promotion",
        [
            ("social_media", "Prowadzenie mediów społecznościowych", "Social media"),
            ("copywriting", "Pisanie tekstów", "Copywriting"),
            ("graphic_design", "Projektowanie graficzne", "Graphic design"),
        ],
    ),
    (
        "languages",
        "Języki",
        "Languages",
        [
            ("lang_english", "Język angielski", "English"),
            ("lang_german", "Język niemiecki", "German"),
            ("lang_ukrainian", "Język ukraiński", "Ukrainian"),
            ("sign_language", "Polski język migowy", "Polish sign language"),
        ],
    ),
    (
        "it",
        "Informatyka",
        "IT",
        [
            ("it_support", "Wsparcie komputerowe", "Computer support"),
            ("web_editing", "Redakcja stron internetowych", "Website editing"),
        ],
    ),
    (
        "stage",
        "Scena i zaplecze",
        "Stage and backstage",
        [
            ("backstage", "Pomoc za kulisami", "Backstage help"),
            ("sound_light", "Technika sceniczna: dźwięk i światło", "Sound and lighting"),
        ],
    ),
    (
        "library",
        "Praca biblioteczna",
        "Library work",
        [
            ("shelving", "Porządkowanie księgozbioru", "Shelving"),
            ("book_delivery", "Dostarczanie książek seniorom", "Delivering books to seniors"),
        ],
    ),
    (
        "crafts",
        "Rękodzieło",
        "Crafts",
        [
            ("folk_crafts", "Rękodzieło ludowe", "Folk crafts"),
            ("sewing", "Szycie i kostiumy", "Sewing and costumes"),
        ],
    ),
    (
        "care",
        "Pierwsza pomoc i opieka",
        "First aid and care",
        [
            ("first_aid", "Pierwsza pomoc", "First aid"),
            ("senior_care", "Towarzyszenie seniorom", "Keeping seniors company"),
            (
                "accessibility_help",
                "Asystowanie osobom z niepełnosprawnościami",
                "Assisting disabled visitors",
            ),
        ],
    ),
]


# The qualifications every institution of the coalition recognises: (Polish, English, months
# of validity or None when it does not lapse).
QUALIFICATIONS: list[tuple[str, str, int | None]] = [
    ("Szkolenie BHP", "Health and safety briefing", 12),
    ("Pierwsza pomoc", "First aid", 24),
    ("Oprowadzanie z audiodeskrypcją", "Guiding with audio description", None),
    ("Praca z dziećmi", "Working with children", 36),
    ("Praca z archiwaliami", "Archive handling", None),
]
