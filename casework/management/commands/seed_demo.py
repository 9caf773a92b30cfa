"""``python manage.py seed_demo``: realistic demo data for a laptop demo.

Three programmes (an EFOP-1.5.3 consortium around Ózd, a TOP-6.9.1 city mentor programme in
Miskolc and a Slovak local inclusion partnership without health screening), their organisations,
demo staff and about sixty clients whose cases stand in every stage of the journey.

Every case is driven by the real services, acting as the user who would do each step (the
social worker takes the client in, the mentor drafts the plan and logs sessions, a supervisor
other than the author approves), so history rows carry users and reasons, the Viewflow process
of each case has the right open task, and notifications exist as they would in real use.

Idempotent: organisations, programmes and users are found by name, funder code and username;
clients are grouped in cohorts (a mentor's training group), each seeded in one transaction and
recognised by its clients' names. A second run writes nothing; a run after an interrupted one
tops up the missing cohorts.

Set-up rows (programme, organisation, consortium membership, staff profile) have no service yet,
so they are written here by ``_create_setup_row``, validated and with a history reason, as the
services do. Everything from the client onwards goes through ``casework.services``.

Dates the services accept (consent, plan agreement, sessions, screening, placement start,
follow-up contacts) are spread over the past months, never in the future; what the services date
themselves (case opened, stage changes, closure, outcome at exit, referrals) is today.

All demo accounts share a published password, so the command refuses to run with DEBUG off
unless given ``--force``.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

import privacy
from casework import services
from casework.journey import Stage
from casework.management.seed_entry import seed_settlements, with_entry_data
from casework.models import (
    Case,
    Client,
    ConsortiumMembership,
    ConsortiumRole,
    ContractType,
    Country,
    EducationLevel,
    ExitOutcome,
    FollowUpKind,
    FollowUpStatus,
    Gender,
    GoalArea,
    Household,
    LabourMarketStatus,
    Organisation,
    OrganisationKind,
    Outcome,
    Programme,
    ScreeningStatus,
    SessionFormat,
    SessionKind,
    StaffProfile,
    TargetGroup,
)
from casework.roles import Role
from privacy import services as privacy_services
from privacy.demo import SPECIAL, demo_answers, seed_health_finding, seed_special_categories

SEED = 2026
PASSWORD = "lepes-demo"
URL = "http://127.0.0.1:8000/"
# Ages are counted from a fixed year so that the generated birth years never change.
REFERENCE_YEAR = 2026

# --------------------------------------------------------------------------------------------
# Organisations, programmes and staff
# --------------------------------------------------------------------------------------------

MUNICIPALITY = OrganisationKind.MUNICIPALITY
NGO = OrganisationKind.NGO
LABOUR = OrganisationKind.LABOUR_OFFICE
HEALTH = OrganisationKind.HEALTH_OFFICE

ORGANISATIONS: dict[str, tuple[str, str, str]] = {
    # key: (name, kind, settlement)
    "ozd": ("Ózd Város Önkormányzata", MUNICIPALITY, "Ózd"),
    "putnok": ("Putnok Város Önkormányzata", MUNICIPALITY, "Putnok"),
    "sajoszentpeter": ("Sajószentpéter Város Önkormányzata", MUNICIPALITY, "Sajószentpéter"),
    "kazincbarcika": ("Kazincbarcika Város Önkormányzata", MUNICIPALITY, "Kazincbarcika"),
    "edeleny": ("Edelény Város Önkormányzata", MUNICIPALITY, "Edelény"),
    "eselyhid": ("Esélyhíd Közhasznú Egyesület", NGO, "Miskolc"),
    "gomor": ("Gömöri Közösségfejlesztő Egyesület", NGO, "Putnok"),
    "ozd_labour": (
        "BAZ Megyei Kormányhivatal Ózdi Járási Hivatala – Foglalkoztatási Osztály",
        LABOUR,
        "Ózd",
    ),
    "ozd_efi": ("EFI – Egészségfejlesztési Iroda, Ózd", HEALTH, "Ózd"),
    "miskolc": ("Miskolc Megyei Jogú Város Önkormányzata", MUNICIPALITY, "Miskolc"),
    "miskolc_labour": (
        "BAZ Megyei Kormányhivatal Miskolci Járási Hivatala – Foglalkoztatási Osztály",
        LABOUR,
        "Miskolc",
    ),
    "miskolc_efi": ("EFI – Egészségfejlesztési Iroda, Miskolc", HEALTH, "Miskolc"),
    "tornala": ("Mesto Tornaľa", MUNICIPALITY, "Tornaľa"),
    "tornala_kc": ("Komunitné centrum Tornaľa, n. o.", NGO, "Tornaľa"),
    "rs_labour": (
        "Úrad práce, sociálnych vecí a rodiny Rimavská Sobota",
        LABOUR,
        "Rimavská Sobota",
    ),
}


@dataclass(frozen=True)
class ProgrammeSpec:
    key: str
    name: str
    funder_code: str
    country: str
    attendance_threshold: int
    planned_sessions: int
    short: str  # column label of the summary
    members: list[tuple[str, str]]
    uses_screening: bool = True


PROGRAMMES = [
    ProgrammeSpec(
        key="efop",
        name="Humán szolgáltatások fejlesztése térségi szemléletben – Ózd és térsége",
        funder_code="EFOP-1.5.3-16-2017-00062",
        country=Country.HUNGARY,
        short="EFOP",
        attendance_threshold=9,
        planned_sessions=10,
        members=[
            ("ozd", ConsortiumRole.LEAD),
            ("putnok", ConsortiumRole.MEMBER),
            ("sajoszentpeter", ConsortiumRole.MEMBER),
            ("kazincbarcika", ConsortiumRole.MEMBER),
            ("edeleny", ConsortiumRole.MEMBER),
            ("eselyhid", ConsortiumRole.MEMBER),
            ("gomor", ConsortiumRole.MEMBER),
            ("ozd_labour", ConsortiumRole.PARTNER),
            ("ozd_efi", ConsortiumRole.PARTNER),
        ],
    ),
    ProgrammeSpec(
        key="top",
        name="A társadalmi együttélés erősítése Miskolcon – mentorprogram",
        funder_code="TOP-6.9.1-16-MI1-2017-00002",
        country=Country.HUNGARY,
        short="TOP",
        attendance_threshold=8,
        planned_sessions=10,
        members=[
            ("miskolc", ConsortiumRole.LEAD),
            ("eselyhid", ConsortiumRole.MEMBER),
            ("miskolc_labour", ConsortiumRole.PARTNER),
            ("miskolc_efi", ConsortiumRole.PARTNER),
        ],
    ),
    ProgrammeSpec(
        key="lpsz",
        name="Lokálne partnerstvo sociálneho začlenenia Tornaľa",
        funder_code="LPSZ-RS-2024-017",
        country=Country.SLOVAKIA,
        short="LPSZ (SK)",
        attendance_threshold=6,
        planned_sessions=8,
        uses_screening=False,  # no health screening: the journey skips that stage
        members=[
            ("tornala", ConsortiumRole.LEAD),
            ("tornala_kc", ConsortiumRole.MEMBER),
            ("rs_labour", ConsortiumRole.PARTNER),
        ],
    ),
]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation: str
    language: str = "hu"


STAFF = [
    StaffSpec("worker", "Katalin", "Szabó", Role.SOCIAL_WORKER, "ozd"),
    StaffSpec("mentor", "Gábor", "Kovács", Role.MENTOR, "ozd"),
    StaffSpec("supervisor", "Ildikó", "Nagy", Role.SUPERVISOR, "ozd"),
    StaffSpec("admin", "Péter", "Tóth", Role.PROGRAMME_ADMIN, "ozd"),
    StaffSpec("worker2", "Eszter", "Varga", Role.SOCIAL_WORKER, "eselyhid"),
    StaffSpec("mentor2", "Tamás", "Balogh", Role.MENTOR, "eselyhid"),
    # Beyond the six named accounts: a second Ózd mentor (mentors see only their own cases),
    # the NGO's supervisor (its plans need a supervisor of its own) and the Slovak team.
    StaffSpec("mentor3", "Edina", "Lakatos", Role.MENTOR, "ozd"),
    StaffSpec("supervisor2", "Judit", "Fekete", Role.SUPERVISOR, "eselyhid"),
    StaffSpec("worker_sk", "Zuzana", "Kováčová", Role.SOCIAL_WORKER, "tornala", "sk"),
    StaffSpec("mentor_sk", "Marek", "Rigo", Role.MENTOR, "tornala", "sk"),
    StaffSpec("supervisor_sk", "Alžbeta", "Szabóová", Role.SUPERVISOR, "tornala", "sk"),
]

# The social worker and supervisor who act on the cases of each organisation with staff.
TEAMS = {
    "ozd": ("worker", "supervisor"),
    "eselyhid": ("worker2", "supervisor2"),
    "tornala": ("worker_sk", "supervisor_sk"),
}

# --------------------------------------------------------------------------------------------
# The stories: cohorts of clients and where each client's journey stands today
# --------------------------------------------------------------------------------------------

INTAKE = Stage.INTAKE
PLANNING = Stage.PLANNING
TRAINING = Stage.TRAINING
SCREENING = Stage.SCREENING
PLACEMENT = Stage.PLACEMENT
FOLLOW_UP = Stage.FOLLOW_UP
CLOSED = Stage.CLOSED


@dataclass(frozen=True)
class Plot:
    """Where one demo case's journey stops, and how.

    ``stop`` is the stage the case is in today before any ending (``closed`` means it completed
    the whole journey). ``detail`` says how far the work of that stage got:

    - intake: ``new`` (just opened), ``consent``, ``incomplete`` (entry data missing), ``ready``
      (consent and mentor, waiting for the social worker to complete the intake);
    - planning: ``draft``, ``submitted``, ``returned``, ``resubmitted`` (returned, corrected and
      waiting again);
    - training: attendance below the threshold (the group is still running, or the client
      missed too much);
    - screening: ``pending`` or ``recorded`` (not yet moved on);
    - placement: ``pending`` or ``started`` (employer known, outcome at exit not yet);
    - follow_up: ``none`` or ``first`` recorded;
    - closed: ``unreachable`` when the six-month follow-up found no one.

    ``close`` (an early outcome) or ``suspend`` end the story in the stop stage; ``pause_at`` is
    an earlier stage in which the case was suspended and resumed; ``reopen`` closes a case as
    dropped out during training and has the supervisor reopen it.
    """

    stop: str
    detail: str = ""
    close: str = ""
    suspend: bool = False
    pause_at: str = ""
    reopen: bool = False


def P(stop: str, detail: str = "", **kwargs) -> Plot:  # reads as a table below
    return Plot(stop, detail, **kwargs)


@dataclass(frozen=True)
class Cohort:
    """One mentor's group of clients who started together and share the group trainings."""

    key: str
    programme: str
    organisation: str
    mentor: str
    days_ago: int
    settlements: list[str]
    plots: list[Plot]


COHORTS = [
    # -- EFOP-1.5.3, Ózd municipality ---------------------------------------------------------
    Cohort(
        key="ozd-1",
        programme="efop",
        organisation="ozd",
        mentor="mentor",
        days_ago=420,
        settlements=["Ózd"],
        plots=[
            P(CLOSED),
            P(CLOSED),
            P(CLOSED, "unreachable"),
            P(FOLLOW_UP, "first"),
            P(PLACEMENT, "started", suspend=True),
            P(PLACEMENT, "pending", close=Outcome.MOVED_AWAY),
            P(TRAINING, close=Outcome.DROPPED_OUT),
            P(TRAINING, reopen=True),
        ],
    ),
    Cohort(
        key="ozd-2",
        programme="efop",
        organisation="ozd",
        mentor="mentor",
        days_ago=190,
        settlements=["Ózd"],
        plots=[
            P(PLACEMENT, "pending"),
            P(PLACEMENT, "started", pause_at=SCREENING),
            P(SCREENING, "pending"),
            P(SCREENING, "recorded"),
            P(FOLLOW_UP, "none"),
            P(SCREENING, "pending", close=Outcome.DROPPED_OUT),
        ],
    ),
    Cohort(
        key="ozd-3",
        programme="efop",
        organisation="ozd",
        mentor="mentor3",
        days_ago=75,
        settlements=["Ózd"],
        plots=[
            P(TRAINING),
            P(TRAINING),
            P(TRAINING),
            P(TRAINING),
            P(TRAINING, suspend=True),
            P(TRAINING, close=Outcome.DROPPED_OUT),
        ],
    ),
    Cohort(
        key="ozd-4",
        programme="efop",
        organisation="ozd",
        mentor="mentor3",
        days_ago=30,
        settlements=["Ózd"],
        plots=[
            P(PLANNING, "draft"),
            P(PLANNING, "submitted"),
            P(PLANNING, "returned"),
            P(PLANNING, "resubmitted"),
            P(PLANNING, "draft", suspend=True),
            P(INTAKE, "ready"),
        ],
    ),
    Cohort(
        key="ozd-intake",
        programme="efop",
        organisation="ozd",
        mentor="",
        days_ago=6,
        settlements=["Ózd"],
        plots=[
            P(INTAKE, "new"),
            P(INTAKE, "incomplete"),
            P(INTAKE, "consent", close=Outcome.INELIGIBLE),
        ],
    ),
    # -- EFOP-1.5.3, Esélyhíd NGO (the consortium's smaller towns) ---------------------------
    Cohort(
        key="eselyhid-1",
        programme="efop",
        organisation="eselyhid",
        mentor="mentor2",
        days_ago=380,
        settlements=["Putnok", "Sajószentpéter", "Kazincbarcika", "Edelény"],
        plots=[
            P(CLOSED),
            P(CLOSED),
            P(FOLLOW_UP, "first"),
            P(FOLLOW_UP, "none", pause_at=PLACEMENT),
            P(PLACEMENT, "started"),
            P(TRAINING, close=Outcome.MOVED_AWAY),
        ],
    ),
    Cohort(
        key="eselyhid-2",
        programme="efop",
        organisation="eselyhid",
        mentor="mentor2",
        days_ago=100,
        settlements=["Putnok", "Sajószentpéter", "Kazincbarcika", "Edelény"],
        plots=[
            P(SCREENING, "pending"),
            P(SCREENING, "recorded"),
            P(SCREENING, "pending"),
            P(TRAINING),  # missed too many sessions of a finished group
            P(SCREENING, "pending", suspend=True),
        ],
    ),
    # -- TOP-6.9.1, Miskolc, run by the Esélyhíd NGO ------------------------------------------
    Cohort(
        key="miskolc-1",
        programme="top",
        organisation="eselyhid",
        mentor="mentor2",
        days_ago=330,
        settlements=["Miskolc"],
        plots=[
            P(CLOSED),
            P(CLOSED, "unreachable"),
            P(FOLLOW_UP, "first"),
            P(PLACEMENT, "pending"),
            P(SCREENING, "pending", close=Outcome.DROPPED_OUT),
            P(FOLLOW_UP, "none", suspend=True),
        ],
    ),
    Cohort(
        key="miskolc-2",
        programme="top",
        organisation="eselyhid",
        mentor="mentor2",
        days_ago=45,
        settlements=["Miskolc"],
        plots=[
            P(TRAINING),
            P(TRAINING),
            P(TRAINING),
            P(PLANNING, "submitted"),
            P(INTAKE, "new"),
        ],
    ),
    # -- Slovak local partnership, Tornaľa (no health screening) ------------------------------
    Cohort(
        key="tornala-1",
        programme="lpsz",
        organisation="tornala",
        mentor="mentor_sk",
        days_ago=330,
        settlements=["Tornaľa", "Kráľ", "Gemer", "Včelince"],
        plots=[
            P(CLOSED),
            P(CLOSED),
            P(FOLLOW_UP, "first"),
            P(PLACEMENT, "started"),
            P(PLACEMENT, "pending"),
            P(TRAINING, close=Outcome.DROPPED_OUT),
        ],
    ),
    Cohort(
        key="tornala-2",
        programme="lpsz",
        organisation="tornala",
        mentor="mentor_sk",
        days_ago=55,
        settlements=["Tornaľa", "Kráľ", "Gemer", "Včelince"],
        plots=[
            P(TRAINING),
            P(TRAINING),
            P(PLANNING, "draft"),
            P(PLANNING, "returned"),
            P(INTAKE, "ready"),
        ],
    ),
]

# --------------------------------------------------------------------------------------------
# Words: names, goals, topics, reasons (Hungarian and Slovak)
# --------------------------------------------------------------------------------------------

HU_FAMILY = [
    "Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Németh", "Farkas",
    "Balogh", "Papp", "Takács", "Juhász", "Lakatos", "Mészáros", "Oláh", "Simon", "Rácz",
    "Fekete", "Szilágyi", "Török", "Fehér", "Balázs", "Gál", "Szűcs", "Kocsis", "Pintér",
    "Fodor", "Sipos", "Lukács", "Gulyás", "Bíró", "Király", "Katona", "Jakab", "Bogdán",
    "Sárközi", "Kolompár", "Rostás", "Csonka", "Burai", "Berki", "Danyi", "Vadász", "Bangó",
]  # fmt: skip
HU_FEMALE = [
    "Anna", "Erzsébet", "Katalin", "Mária", "Éva", "Zsuzsanna", "Andrea", "Krisztina", "Szilvia",
    "Mónika", "Tímea", "Nikolett", "Renáta", "Bianka", "Vivien", "Alexandra", "Edina", "Ildikó",
    "Gabriella", "Melinda", "Brigitta", "Klaudia", "Anita", "Judit", "Erika", "Tünde", "Henrietta",
]  # fmt: skip
HU_MALE = [
    "László", "István", "József", "János", "Zoltán", "Sándor", "Gábor", "Ferenc", "Attila",
    "Péter", "Tamás", "Zsolt", "Tibor", "Csaba", "Norbert", "Richárd", "Krisztián", "Roland",
    "Dávid", "Róbert", "Imre", "Béla", "Gyula", "Ádám", "Márk", "Dezső", "Kálmán",
]  # fmt: skip
SK_FAMILY = [  # (male, female)
    ("Horváth", "Horváthová"), ("Kováč", "Kováčová"), ("Baláž", "Balážová"),
    ("Lukáč", "Lukáčová"), ("Lakatoš", "Lakatošová"), ("Červeňák", "Červeňáková"),
    ("Rigo", "Rigová"), ("Bartoš", "Bartošová"), ("Daňo", "Daňová"), ("Pecha", "Pechová"),
    ("Mižigár", "Mižigárová"), ("Šarközi", "Šarköziová"), ("Novák", "Nováková"),
    ("Tóth", "Tóthová"), ("Oláh", "Oláhová"), ("Farkaš", "Farkašová"), ("Gábor", "Gáborová"),
]  # fmt: skip
SK_FEMALE = [
    "Mária", "Jana", "Zuzana", "Monika", "Lucia", "Martina", "Renáta", "Silvia", "Veronika",
    "Denisa", "Klaudia", "Alžbeta", "Helena", "Simona", "Erika", "Tünde",
]  # fmt: skip
SK_MALE = [
    "Ján", "Peter", "Jozef", "Milan", "Martin", "Marek", "Tomáš", "Ladislav", "Štefan", "Roman",
    "Dušan", "Rudolf", "Július", "Patrik", "Attila", "Tibor",
]  # fmt: skip


@dataclass(frozen=True)
class Words:
    goals: dict[str, list[str]]
    strengths: list[str]
    difficulties: list[str]
    training_topic: str
    topics: list[str]
    counselling: list[str]
    employers: list[str]
    training_providers: list[str]
    suspend: list[str]
    close: dict[str, list[str]]
    reopen: str
    return_comments: list[str]
    approve_comments: list[str]
    correction: str
    labour_referral: str
    labour_answer: str
    health_referral: str
    health_answer: str
    follow_up_notes: list[str]
    summary: str


HU = Words(
    goals={
        GoalArea.EMPLOYMENT: [
            "Önéletrajz elkészítése és legalább három álláshirdetésre jelentkezés",
            "Bejelentett munkaviszony létesítése a program végéig",
            "Regisztráció a járási hivatal foglalkoztatási osztályán, közvetítés kérése",
        ],
        GoalArea.EDUCATION: [
            "Az általános iskola befejezése felnőttoktatásban",
            "Részvétel szakmai képzésen (targoncavezető vagy szociális ápoló)",
            "Alapfokú digitális ismeretek: e-mail, Ügyfélkapu, álláskereső oldalak",
            "B kategóriás jogosítvány megszerzése",
        ],
        GoalArea.HEALTH: [
            "Részvétel az EFI egészségfelmérésén és a szűréseken",
            "Rendszeres háziorvosi kontroll (vérnyomás)",
        ],
        GoalArea.HOUSING: [
            "A közüzemi hátralék rendezése részletfizetéssel",
            "Lakásfenntartási támogatás igénylése",
        ],
        GoalArea.FAMILY: [
            "A gyerekek rendszeres iskolába járásának biztosítása",
            "Bölcsődei vagy óvodai férőhely a munkavállaláshoz",
        ],
        GoalArea.FINANCES: [
            "Havi háztartási költségvetés vezetése",
            "Adósságkezelési tanácsadás igénybevétele",
        ],
        GoalArea.COMMUNITY: [
            "Részvétel a közösségi fórumokon",
            "Önkéntes segítés a közösségi házban",
        ],
    },
    strengths=[
        "motivált, megbízható",
        "jó kommunikációs készség",
        "van mezőgazdasági és építőipari munkatapasztalata",
        "támogató családi háttér",
        "szeretne szakmát tanulni",
        "közfoglalkoztatásban megbízhatóan dolgozott",
    ],
    difficulties=[
        "alacsony iskolai végzettség",
        "több éve nincs bejelentett munkája",
        "közlekedési nehézségek (ritka buszjárat)",
        "a kisgyermek napközbeni ellátása megoldatlan",
        "közüzemi tartozás",
        "egészségügyi panaszok",
    ],
    training_topic="Kompetenciafejlesztő tréning",
    topics=[
        "Önismeret és motiváció",
        "Kommunikáció és konfliktuskezelés",
        "Álláskeresési technikák",
        "Önéletrajz és motivációs levél",
        "Felkészülés az állásinterjúra",
        "Munkahelyi szabályok és elvárások",
        "Pénzügyi alapismeretek",
        "Digitális alapismeretek",
        "Egészséges életmód",
        "Jogok és kötelezettségek a munka világában",
        "Időbeosztás és célkitűzés",
        "Csoportzárás és visszajelzés",
    ],
    counselling=[
        "Egyéni munkaerőpiaci tanácsadás",
        "Egyéni tanácsadás – álláskeresés",
        "Egyéni tanácsadás – ügyintézés",
    ],
    employers=[
        "Ózdi Városgazdálkodási Nonprofit Kft.",
        "Borsodi Fémfeldolgozó Kft.",
        "Sajó-völgyi Logisztika Kft.",
        "Putnoki Pékség Bt.",
        "Gömöri Mezőgazdasági Zrt.",
        "Barcikai Vegyipari Szolgáltató Kft.",
        "Miskolci Autóalkatrész-gyártó Kft.",
        "Avasi Takarító és Szolgáltató Kft.",
    ],
    training_providers=[
        "BAZ Megyei Szakképzési Centrum – felnőttképzés",
        "Miskolci Felnőttképző Központ Kft.",
    ],
    suspend=[
        "Kórházi kezelés miatt átmenetileg nem tud részt venni.",
        "Idénymunkát vállalt a mezőgazdaságban, utána folytatja.",
        "Gyermeke betegsége miatt a részvétel átmenetileg szünetel.",
        "Két hónapra külföldön vállalt munkát.",
    ],
    close={
        Outcome.DROPPED_OUT: [
            "Többszöri megkeresés ellenére sem jelent meg, a programból kilépett.",
            "Nem kívánja tovább folytatni a részvételt.",
        ],
        Outcome.MOVED_AWAY: [
            "Családjával Győrbe költözött munkavállalás miatt.",
            "Budapestre költözött, a program területén kívül él.",
        ],
        Outcome.INELIGIBLE: [
            "Nem tartozik a program célcsoportjába: határozatlan idejű munkaviszonyban áll.",
        ],
    },
    reopen="Újra jelentkezett, folytatni kívánja a tréninget.",
    return_comments=[
        "Kérem, a célokhoz rendeljen határidőt, és egészítse ki a lakhatási helyzettel.",
        "A foglalkoztatási cél túl általános – kérem, konkretizálja (terület, határidő).",
    ],
    approve_comments=["", "Rendben, jóváhagyom.", "Jóváhagyva, jó munkát!"],
    correction="Határidők és lakhatási cél kiegészítve a szakmai vezető kérésére.",
    labour_referral="Álláskeresőként való nyilvántartásba vétel, állásközvetítés",
    labour_answer="Nyilvántartásba vették, közvetítés folyamatban.",
    health_referral="Egészségfejlesztési tanácsadás, életmódprogram",
    health_answer="Az életmódprogramba bekerült, első alkalom a jövő héten.",
    follow_up_notes=[
        "Telefonon elérve, elégedett a helyzetével.",
        "Személyesen a közösségi házban.",
        "Még mindig ugyanott dolgozik.",
        "",
    ],
    summary="Erősségek: {strengths}. Nehézségek: {difficulties}.",
)

SK = Words(
    goals={
        GoalArea.EMPLOYMENT: [
            "Vypracovať životopis a uchádzať sa aspoň o tri pracovné ponuky",
            "Nájsť zamestnanie na pracovnú zmluvu do konca programu",
            "Zaevidovať sa na úrade práce a využiť sprostredkovanie",
        ],
        GoalArea.EDUCATION: [
            "Dokončiť základné vzdelanie",
            "Absolvovať rekvalifikačný kurz (opatrovateľ, zvárač)",
            "Získať vodičský preukaz skupiny B",
        ],
        GoalArea.HEALTH: ["Pravidelné preventívne prehliadky u všeobecného lekára"],
        GoalArea.HOUSING: ["Dohodnúť splátkový kalendár na nedoplatky za energie"],
        GoalArea.FAMILY: ["Pravidelná školská dochádzka detí"],
        GoalArea.FINANCES: ["Viesť mesačný rozpočet domácnosti"],
        GoalArea.COMMUNITY: ["Zapojiť sa do aktivít komunitného centra"],
    },
    strengths=[
        "motivovaný, spoľahlivý",
        "dobré komunikačné schopnosti",
        "skúsenosti s prácou v poľnohospodárstve",
        "podpora rodiny",
        "chce sa vyučiť",
    ],
    difficulties=[
        "nízke vzdelanie",
        "dlhodobá nezamestnanosť",
        "zlé dopravné spojenie",
        "nevyriešená starostlivosť o malé dieťa",
        "dlhy za energie",
    ],
    training_topic="Tréning kompetencií",
    topics=[
        "Sebapoznanie a motivácia",
        "Komunikácia a riešenie konfliktov",
        "Techniky hľadania práce",
        "Životopis a motivačný list",
        "Príprava na pracovný pohovor",
        "Finančná gramotnosť",
        "Práva a povinnosti zamestnanca",
        "Záverečné stretnutie a spätná väzba",
    ],
    counselling=["Individuálne poradenstvo", "Individuálne poradenstvo – hľadanie práce"],
    employers=[
        "Gemerská poľnohospodárska spoločnosť, s. r. o.",
        "Technické služby mesta Tornaľa",
        "Rimavská logistika, s. r. o.",
        "Gemer Drevo, s. r. o.",
    ],
    training_providers=["Vzdelávacie centrum Rimavská Sobota"],
    suspend=[
        "Hospitalizácia, dočasne sa nemôže zúčastňovať.",
        "Sezónna práca v Čechách, pokračuje po návrate.",
    ],
    close={
        Outcome.DROPPED_OUT: ["Napriek opakovaným pokusom sa neozýva, z programu odstúpil."],
        Outcome.MOVED_AWAY: ["Presťahoval sa s rodinou do Bratislavy."],
        Outcome.INELIGIBLE: ["Nepatrí do cieľovej skupiny programu."],
    },
    reopen="Opäť sa prihlásil, chce pokračovať v tréningu.",
    return_comments=["Prosím, doplňte k cieľom termíny a situáciu s bývaním."],
    approve_comments=["", "Schvaľujem."],
    correction="Doplnené termíny a cieľ v oblasti bývania.",
    labour_referral="Zaradenie do evidencie uchádzačov o zamestnanie, sprostredkovanie práce",
    labour_answer="Zaevidovaný, sprostredkovanie prebieha.",
    health_referral="Poradenstvo v oblasti zdravia",
    health_answer="Zaradený do programu.",
    follow_up_notes=["Telefonicky, je spokojný.", "Osobne v komunitnom centre.", ""],
    summary="Silné stránky: {strengths}. Ťažkosti: {difficulties}.",
)

WORDS = {Country.HUNGARY: HU, Country.SLOVAKIA: SK}

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _create_setup_row(model: type[models.Model], *, reason: str, **fields) -> models.Model:
    """Set-up rows have no service yet: validate and save them the way the services do, with a
    change reason on the history row."""
    obj = model(**fields)
    obj.full_clean()
    obj._change_reason = reason
    obj.save()
    return obj


def _client_data(rng: random.Random, *, country: str, settlements: list[str], taken: set) -> dict:
    """A participant with realistic ESF entry data (common indicators at entry)."""
    while True:
        female = rng.random() < 0.56
        if country == Country.SLOVAKIA:
            male_name, female_name = rng.choice(SK_FAMILY)
            family = female_name if female else male_name
            given = rng.choice(SK_FEMALE if female else SK_MALE)
        else:
            family = rng.choice(HU_FAMILY)
            given = rng.choice(HU_FEMALE if female else HU_MALE)
        if (family, given) not in taken:
            taken.add((family, given))
            break
    age = rng.choice([rng.randint(18, 29), rng.randint(25, 49), rng.randint(30, 62)])
    statuses = [
        (LabourMarketStatus.LONG_TERM_UNEMPLOYED, 40),
        (LabourMarketStatus.UNEMPLOYED, 20),
        (LabourMarketStatus.INACTIVE, 15),
        (LabourMarketStatus.PUBLIC_WORKS, 20 if country == Country.HUNGARY else 0),
        (LabourMarketStatus.INACTIVE_IN_EDUCATION, 5 if age < 25 else 0),
    ]
    status = rng.choices([s for s, _w in statuses], weights=[w for _s, w in statuses])[0]
    education = rng.choices(
        [
            EducationLevel.ISCED_0_1,
            EducationLevel.ISCED_2,
            EducationLevel.ISCED_3_4,
            EducationLevel.ISCED_5_8,
        ],
        weights=[28, 47, 22, 3],
    )[0]
    with_children = 20 <= age <= 50 and rng.random() < 0.6
    if with_children and female and rng.random() < 0.4:
        household = Household.SINGLE_ADULT_WITH_CHILDREN
    elif with_children:
        household = Household.JOBLESS_WITH_CHILDREN
    else:
        household = rng.choice([Household.JOBLESS, Household.OTHER])
    groups = []
    if status == LabourMarketStatus.LONG_TERM_UNEMPLOYED:
        groups.append(TargetGroup.LONG_TERM_UNEMPLOYED)
    if rng.random() < 0.5:
        groups.append(TargetGroup.SEGREGATED_SETTLEMENT)
    if age < 30:
        groups.append(TargetGroup.YOUNG_PERSON)
    if age > 50:
        groups.append(TargetGroup.OLDER_WORKER)
    if household == Household.SINGLE_ADULT_WITH_CHILDREN:
        groups.append(TargetGroup.SINGLE_PARENT)
    # Disability and a criminal record are special-category records, not target groups ticked
    # in the client file (privacy.special.TARGET_GROUP_CATEGORIES).
    disability = rng.random() < 0.06
    ex_offender = rng.random() < 0.03
    if rng.random() < 0.03:
        groups.append(TargetGroup.HOMELESS)
    if not groups:
        groups.append(TargetGroup.SEGREGATED_SETTLEMENT)
    # Special-category data is declared voluntarily: often not answered (None).
    minority = rng.choices([True, False, None], weights=[45, 20, 35])[0]
    if country == Country.SLOVAKIA:
        phone = f"+421 905 555 {rng.randint(100, 999)}"
    else:
        phone = f"+36 {rng.choice([20, 30, 70])} 555 {rng.randint(1000, 9999)}"
    return {
        "family_name": family,
        "given_name": given,
        "birth_year": REFERENCE_YEAR - age,
        "gender": Gender.FEMALE.value if female else Gender.MALE.value,
        "settlement": rng.choice(settlements),
        "phone": phone if rng.random() < 0.8 else "",
        "labour_market_status": status.value,
        "education_level": education.value,
        "household": household.value,
        "target_groups": [group.value for group in groups],
        SPECIAL: demo_answers(
            minority=minority,
            disability=True if disability else rng.choice([False, None]),
            ex_offender=ex_offender,
        ),
    }


@dataclass
class Member:
    plot: Plot
    data: dict
    case: Case | None = None
    consent_on: datetime.date | None = None
    last_on: datetime.date | None = None  # the latest thing that happened, for the next date
    goals: list[int] = field(default_factory=list)
    sheet: list[bool] = field(default_factory=list)  # present at each group session on its list
    leave_after: int = 0
    outcome: str = ExitOutcome.JOB_SEEKING  # at exit from the placement stage

    def refresh(self) -> Case:
        self.case = Case.objects.select_related("programme").get(pk=self.case.pk)
        return self.case


# --------------------------------------------------------------------------------------------
# One cohort's story, told through the services
# --------------------------------------------------------------------------------------------


class CohortStory:
    def __init__(self, *, cohort: Cohort, members: list[Member], world: World, seed: int):
        self.cohort = cohort
        self.members = members
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.programme = world.programmes[cohort.programme]
        worker, supervisor = TEAMS[cohort.organisation]
        self.worker = world.users[worker]
        self.supervisor = world.users[supervisor]
        self.mentor = world.users[cohort.mentor] if cohort.mentor else None
        self.labour_office = world.partner(self.programme, OrganisationKind.LABOUR_OFFICE)
        self.health_office = world.partner(self.programme, OrganisationKind.HEALTH_OFFICE)
        self.words = WORDS[self.programme.country]
        self.stages = self.programme.stages
        self.start = self.today - datetime.timedelta(days=cohort.days_ago)

    # -- dates --------------------------------------------------------------------------------

    def day(self, after: datetime.date, low: int, high: int) -> datetime.date:
        """A day ``low``–``high`` days after ``after``, never in the future (services refuse)."""
        return min(after + datetime.timedelta(days=self.rng.randint(low, high)), self.today)

    def session_days(self) -> list[datetime.date]:
        """The group's weekly Tuesday sessions held so far, four weeks after the start."""
        first = self.start + datetime.timedelta(days=28)
        first += datetime.timedelta(days=(1 - first.weekday()) % 7)
        days = [first + datetime.timedelta(weeks=n) for n in range(self.programme.planned_sessions)]
        return [day for day in days if day <= self.today]

    # -- the story ----------------------------------------------------------------------------

    def tell(self) -> None:
        for member in self.members:
            self.intake(member)
        for member in self.members:
            if member.refresh().stage == PLANNING:
                self.planning(member)
        trainees = [member for member in self.members if member.refresh().stage == TRAINING]
        if trainees:
            self.group_training(trainees)
        for member in trainees:
            if member.refresh().stage == TRAINING and self.passes_training(member.plot):
                self.onwards(member)
        for member in self.members:
            if member.plot.reopen:
                self.reopen(member)

    def passes_training(self, plot: Plot) -> bool:
        return plot.stop not in (INTAKE, PLANNING, TRAINING)

    def end(self, member: Member) -> None:
        """Close or suspend the case in its stop stage, as the social worker."""
        plot = member.plot
        if plot.close:
            services.case_close_early(
                user=self.worker,
                case_id=member.case.pk,
                outcome=plot.close,
                reason=self.rng.choice(self.words.close[plot.close]),
            )
        elif plot.suspend:
            self.suspend(member)

    def suspend(self, member: Member) -> None:
        services.case_suspend(
            user=self.worker, case_id=member.case.pk, reason=self.rng.choice(self.words.suspend)
        )

    def intake(self, member: Member) -> None:
        plot, rng = member.plot, self.rng
        data = dict(member.data)
        answers = data.pop(SPECIAL)
        if plot.detail == "incomplete":
            data.update(education_level="", household="")
        client = services.client_register(user=self.worker, data=data)
        member.case = services.case_open(
            user=self.worker,
            client_id=client.pk,
            programme_id=self.programme.pk,
            opened_on=self.start,  # the group's intake forms are dated when the group started
        )
        seed_special_categories(user=self.worker, case=member.case, answers=answers)
        if plot.stop == INTAKE and plot.detail == "new":
            return self.end(member)
        member.consent_on = member.last_on = self.day(self.start, 0, 5)
        services.case_record_consent(
            user=self.worker, case_id=member.case.pk, given_on=member.consent_on
        )
        if self.labour_office and rng.random() < 0.3:
            self.refer(
                member, self.labour_office, self.words.labour_referral, by=self.worker, answer=0.6
            )
        if plot.stop == INTAKE and plot.detail in ("consent", "incomplete"):
            return self.end(member)
        services.case_assign_mentor(
            user=self.worker, case_id=member.case.pk, mentor_id=self.mentor.pk
        )
        if plot.stop == INTAKE:
            return self.end(member)
        member.case = services.case_advance(
            user=self.worker, case_id=member.case.pk, from_stage=INTAKE
        )

    def refer(
        self, member: Member, partner: Organisation, purpose: str, *, by, answer: float
    ) -> None:
        """A referral to a partner office; the answer, when it came, is recorded by staff."""
        case = member.case
        if not privacy.has_consent(case, privacy.Purpose.PARTNER_SHARING, partner):
            # The sharing consent is signed with the intake papers.
            privacy_services.consent_record(
                user=case.social_worker,
                case=case,
                purpose=privacy.Purpose.PARTNER_SHARING,
                partner=partner,
                given_on=member.consent_on or self.today,
            )
        referral = services.referral_create(
            user=by, case_id=member.case.pk, partner_id=partner.pk, purpose=purpose
        )
        if self.rng.random() < answer:
            text = (
                self.words.labour_answer
                if partner.kind == OrganisationKind.LABOUR_OFFICE
                else self.words.health_answer
            )
            services.referral_record_answer(
                user=by, referral_id=referral.pk, answer=text, answered_on=self.today
            )

    def planning(self, member: Member) -> None:
        plot, rng, words = member.plot, self.rng, self.words
        case_id = member.case.pk
        agreed = self.day(member.consent_on, 8, 18)
        draft_only = plot.stop == PLANNING and plot.detail == "draft"
        summary = words.summary.format(
            strengths=", ".join(rng.sample(words.strengths, 2)),
            difficulties=", ".join(rng.sample(words.difficulties, 2)),
        )
        services.plan_save(
            user=self.mentor,
            case_id=case_id,
            summary=summary,
            client_agreed_on=None if draft_only and rng.random() < 0.5 else agreed,
        )
        areas = [
            GoalArea.EMPLOYMENT,
            *rng.sample(sorted(words.goals.keys() - {GoalArea.EMPLOYMENT}), 2),
        ]
        for area in areas[: rng.randint(2, 3)]:
            goal = services.goal_add(
                user=self.mentor,
                case_id=case_id,
                area=area,
                description=rng.choice(words.goals[area]),
                target_date=agreed + datetime.timedelta(days=rng.choice([90, 120, 180, 240])),
            )
            member.goals.append(goal.pk)
        member.last_on = agreed
        if rng.random() < 0.3:
            self.counselling(member, by=self.worker, on=self.day(agreed, 1, 10))
        if plot.stop == PLANNING:
            if plot.detail in ("submitted", "returned", "resubmitted"):
                services.plan_submit(user=self.mentor, case_id=case_id)
            if plot.detail in ("returned", "resubmitted"):
                self.return_plan(member)
            if plot.detail == "resubmitted":
                self.correct_plan(member, summary, agreed)
                services.plan_submit(user=self.mentor, case_id=case_id)
            return self.end(member)
        services.plan_submit(user=self.mentor, case_id=case_id)
        if rng.random() < 0.25:  # some plans go back once before approval
            self.return_plan(member)
            self.correct_plan(member, summary, agreed)
            services.plan_submit(user=self.mentor, case_id=case_id)
        services.plan_approve(
            user=self.supervisor, case_id=case_id, comment=rng.choice(words.approve_comments)
        )

    def return_plan(self, member: Member) -> None:
        services.plan_return(
            user=self.supervisor,
            case_id=member.case.pk,
            comment=self.rng.choice(self.words.return_comments),
        )

    def correct_plan(self, member: Member, summary: str, agreed: datetime.date) -> None:
        services.plan_save(
            user=self.mentor,
            case_id=member.case.pk,
            summary=f"{summary}\n{self.words.correction}",
            client_agreed_on=agreed,
        )
        goal = services.goal_add(
            user=self.mentor,
            case_id=member.case.pk,
            area=GoalArea.HOUSING,
            description=self.rng.choice(self.words.goals[GoalArea.HOUSING]),
            target_date=agreed + datetime.timedelta(days=120),
        )
        member.goals.append(goal.pk)

    def counselling(self, member: Member, *, by, on: datetime.date) -> None:
        services.session_record(
            user=by,
            kind=SessionKind.COUNSELLING,
            format=SessionFormat.INDIVIDUAL,
            topic=self.rng.choice(self.words.counselling),
            held_on=on,
            duration_minutes=60,
            attendance={member.case.pk: True},
        )

    def group_training(self, trainees: list[Member]) -> None:
        """The group's weekly trainings: one attendance sheet per session for the whole group."""
        rng, programme = self.rng, self.programme
        days = self.session_days()
        held, needed = len(days), programme.attendance_threshold
        for member in trainees:
            plot = member.plot
            # A counselling session logged while planning counts towards the threshold too.
            prior = member.case.attendance.filter(present=True).count()
            if self.passes_training(plot):
                if held < needed:
                    raise CommandError(
                        f"Cohort {self.cohort.key}: {held} sessions held, {needed} needed; "
                        "start it earlier."
                    )
                absent = rng.sample(range(held), min(rng.choice([0, 0, 1, 1, 2]), held - needed))
                member.sheet = [n not in absent for n in range(held)]
            elif plot.close or plot.suspend or plot.reopen:
                member.leave_after = rng.randint(2, max(2, min(held, needed) - 2))
                member.sheet = [rng.random() < 0.75 for _n in range(member.leave_after)]
                # A reopened case gets one more session after it returns: keep it below too.
                self.keep_below(member.sheet, needed - prior - (1 if plot.reopen else 0))
            else:  # still training: the group goes on, or the client missed too many
                member.sheet = [rng.random() < 0.85 for _n in range(held)]
                self.keep_below(member.sheet, needed - prior)
        for n, day in enumerate(days):
            attendance = {
                member.case.pk: member.sheet[n] for member in trainees if n < len(member.sheet)
            }
            if attendance:
                topic = f"{self.words.training_topic} {n + 1}/{programme.planned_sessions}: "
                services.session_record(
                    user=self.mentor,
                    kind=SessionKind.TRAINING,
                    format=SessionFormat.GROUP if len(attendance) > 1 else SessionFormat.INDIVIDUAL,
                    topic=topic + self.words.topics[n % len(self.words.topics)],
                    held_on=day,
                    duration_minutes=180,
                    attendance=attendance,
                )
            for member in trainees:
                member.last_on = day if n < len(member.sheet) else member.last_on
                if member.leave_after == n + 1:
                    if member.plot.reopen:
                        services.case_close_early(
                            user=self.worker,
                            case_id=member.case.pk,
                            outcome=Outcome.DROPPED_OUT,
                            reason=rng.choice(self.words.close[Outcome.DROPPED_OUT]),
                        )
                    else:
                        self.end(member)
        for member in trainees:
            if not self.passes_training(member.plot) and not member.leave_after:
                self.end(member)

    def keep_below(self, sheet: list[bool], limit: int) -> None:
        """Mark absences until fewer than ``limit`` sessions are attended."""
        while sum(sheet) >= max(limit, 1):
            sheet[self.rng.choice([n for n, present in enumerate(sheet) if present])] = False

    def reopen(self, member: Member) -> None:
        services.case_reopen(user=self.supervisor, case_id=member.case.pk, reason=self.words.reopen)
        self.counselling(member, by=self.mentor, on=self.day(self.today, -6, -1))

    def onwards(self, member: Member) -> None:
        """From a completed training to where the member's journey stops."""
        plot = member.plot
        case_id = member.case.pk
        services.case_advance(user=self.mentor, case_id=case_id, from_stage=TRAINING)
        for stage in (SCREENING, PLACEMENT, FOLLOW_UP):
            if stage not in self.stages:
                continue
            if plot.pause_at == stage:
                self.suspend(member)
                services.case_resume(user=self.worker, case_id=case_id)
            stop_here = plot.stop == stage
            {SCREENING: self.screening, PLACEMENT: self.placement, FOLLOW_UP: self.follow_up}[
                stage
            ](member, partial=plot.detail if stop_here else "")
            if stop_here:
                return self.end(member)
            services.case_advance(user=self.mentor, case_id=case_id, from_stage=stage)

    def screening(self, member: Member, *, partial: str) -> None:
        if partial == "pending":
            return
        rng = self.rng
        done = rng.random() < 0.7
        referred = done and self.health_office is not None and rng.random() < 0.4
        member.last_on = self.day(member.last_on, 5, 20)
        services.screening_record(
            user=self.mentor,
            case_id=member.case.pk,
            status=ScreeningStatus.DONE if done else ScreeningStatus.DECLINED,
            screened_on=member.last_on,
            referred_to_id=self.health_office.pk if referred else None,
        )
        if done:
            seed_health_finding(user=self.worker, case=member.case, referred=referred)
        if referred:
            self.refer(
                member, self.health_office, self.words.health_referral, by=self.mentor, answer=0.5
            )

    def placement(self, member: Member, *, partial: str) -> None:
        rng = self.rng
        case_id = member.case.pk
        if rng.random() < 0.6:
            self.counselling(member, by=self.mentor, on=self.day(member.last_on, 3, 12))
        if partial == "pending":
            return
        starts_on = self.day(member.last_on, 14, 45)
        member.last_on = starts_on
        outcome = rng.choices(
            [
                ExitOutcome.EMPLOYED,
                ExitOutcome.IN_EDUCATION,
                ExitOutcome.JOB_SEEKING,
                ExitOutcome.SELF_EMPLOYED,
            ],
            weights=[60, 15, 20, 5],
        )[0]
        if partial == "started":
            outcome = ExitOutcome.EMPLOYED
        fields = {}
        if outcome == ExitOutcome.EMPLOYED:
            contract = rng.choices(
                [
                    ContractType.FIXED_TERM,
                    ContractType.PERMANENT,
                    ContractType.PART_TIME,
                    ContractType.PUBLIC_WORKS,
                ],
                weights=[40, 25, 15, 20 if self.programme.country == Country.HUNGARY else 0],
            )[0]
            fields = {"employer": rng.choice(self.words.employers), "contract_type": contract}
        elif outcome == ExitOutcome.IN_EDUCATION:
            fields = {
                "employer": rng.choice(self.words.training_providers),
                "contract_type": ContractType.TRAINING,
            }
        elif outcome == ExitOutcome.SELF_EMPLOYED:
            fields = {"contract_type": ContractType.SELF_EMPLOYED}
        services.placement_save(
            user=self.mentor,
            case_id=case_id,
            starts_on=starts_on if fields else None,
            exit_outcome="" if partial == "started" else outcome,
            exit_on=starts_on,  # the story's day, so the follow-ups count from it
            **fields,
        )
        member.outcome = outcome

    def follow_up(self, member: Member, *, partial: str) -> None:
        if partial == "none":
            return
        rng, words = self.rng, self.words
        follow_ups = {f.kind: f for f in member.refresh().follow_ups.all()}
        outcome = member.outcome
        first_on = self.day(member.last_on, 28, 35)
        services.follow_up_record(
            user=self.mentor,
            follow_up_id=follow_ups[FollowUpKind.FIRST].pk,
            status=FollowUpStatus.REACHED,
            contacted_on=first_on,
            situation=outcome,
            notes=rng.choice(words.follow_up_notes),
        )
        if partial == "first":
            return
        reached = member.plot.detail != "unreachable"
        later = rng.choice([outcome, outcome, ExitOutcome.EMPLOYED, ExitOutcome.JOB_SEEKING])
        services.follow_up_record(
            user=self.mentor,
            follow_up_id=follow_ups[FollowUpKind.SECOND].pk,
            status=FollowUpStatus.REACHED if reached else FollowUpStatus.UNREACHABLE,
            contacted_on=max(first_on, self.day(member.last_on, 182, 190)),
            situation=later if reached else "",
            notes=rng.choice(words.follow_up_notes) if reached else "",
        )
        for goal_id in member.goals[: rng.randint(1, len(member.goals))]:
            services.goal_mark_achieved(user=self.mentor, goal_id=goal_id)


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


@dataclass
class World:
    organisations: dict[str, Organisation]
    programmes: dict[str, Programme]
    users: dict[str, object]

    def partner(self, programme: Programme, kind: str) -> Organisation | None:
        return programme.organisations.filter(kind=kind).order_by("name").first()


class Command(BaseCommand):
    help = (
        "Create demo programmes, organisations, staff (password lepes-demo) and about sixty "
        "cases in every stage. Idempotent: a second run creates nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though DEBUG is off. The demo accounts share a published password.",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a real server. The demo accounts share a published "
                "password. Use --force only on a throw-away database."
            )
        started = time.monotonic()
        master = random.Random(SEED)
        world = self.set_up()
        seed_settlements()  # before the clients: their entry records read the rural flag
        created = skipped = 0
        names_taken: dict[int, set] = {}  # per organisation: demo names stay unique
        for cohort in COHORTS:
            # Names and seeds are drawn for every cohort, seeded or not, so the data does not
            # depend on what a previous run left behind.
            organisation = world.organisations[cohort.organisation]
            country = world.programmes[cohort.programme].country
            taken = names_taken.setdefault(organisation.pk, set())
            members = [
                Member(
                    plot=plot,
                    data=with_entry_data(
                        _client_data(
                            master, country=country, settlements=cohort.settlements, taken=taken
                        )
                    ),
                )
                for plot in cohort.plots
            ]
            seed = master.getrandbits(32)
            if self.cohort_exists(organisation, members):
                skipped += 1
                continue
            with transaction.atomic():
                CohortStory(cohort=cohort, members=members, world=world, seed=seed).tell()
            created += 1
        self.summary(world, created=created, skipped=skipped, seconds=time.monotonic() - started)
        call_command("seed_demo_community", force=True, stdout=self.stdout, stderr=self.stderr)

    # -- set-up ---------------------------------------------------------------------------------

    def set_up(self) -> World:
        self._password = ""
        with transaction.atomic():
            organisations = {
                key: Organisation.objects.filter(name=name).first()
                or _create_setup_row(
                    Organisation,
                    reason="seed_demo.organisation",
                    name=name,
                    kind=kind,
                    settlement=settlement,
                )
                for key, (name, kind, settlement) in ORGANISATIONS.items()
            }
            programmes = {}
            today = timezone.localdate()
            for spec in PROGRAMMES:
                programme = Programme.objects.filter(funder_code=spec.funder_code).first()
                if programme is None:
                    programme = _create_setup_row(
                        Programme,
                        reason="seed_demo.programme",
                        name=spec.name,
                        funder_code=spec.funder_code,
                        country=spec.country,
                        starts_on=datetime.date(today.year - 2, 1, 1),
                        ends_on=datetime.date(today.year + 2, 12, 31),
                        uses_screening=spec.uses_screening,
                        attendance_threshold=spec.attendance_threshold,
                        planned_sessions=spec.planned_sessions,
                        first_follow_up_days=28,
                        second_follow_up_days=182,
                    )
                programmes[spec.key] = programme
                present = set(programme.memberships.values_list("organisation_id", flat=True))
                for key, role in spec.members:
                    if organisations[key].pk not in present:
                        _create_setup_row(
                            ConsortiumMembership,
                            reason="seed_demo.membership",
                            programme=programme,
                            organisation=organisations[key],
                            role=role,
                        )
            users = {spec.username: self.staff_member(spec, organisations) for spec in STAFF}
        # Fresh instances: permission and role caches start empty.
        User = get_user_model()
        users = {
            user.username: user
            for user in User.objects.filter(username__in=users).select_related("staff_profile")
        }
        return World(organisations=organisations, programmes=programmes, users=users)

    def staff_member(self, spec: StaffSpec, organisations: dict[str, Organisation]):
        User = get_user_model()
        organisation = organisations[spec.organisation]
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            if not self._password:
                # Hashed once: the demo accounts share the password anyway.
                self._password = make_password(PASSWORD)
            user = User.objects.create(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@demo.lepes.invalid",
                password=self._password,
            )
        try:
            group = Group.objects.get(name=spec.role)
        except Group.DoesNotExist:
            raise CommandError("The role groups are missing: run `manage.py migrate`.") from None
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        profile = StaffProfile.objects.filter(user=user).first()
        if profile is None:
            _create_setup_row(
                StaffProfile,
                reason="seed_demo.staff_profile",
                user=user,
                organisation=organisation,
                language=spec.language,
            )
        elif profile.organisation_id != organisation.pk and spec.role != Role.PROGRAMME_ADMIN:
            raise CommandError(
                f"User {spec.username} exists but works for {profile.organisation}, not "
                f"{organisation}: the demo cases need them there."
            )
        return user

    def cohort_exists(self, organisation: Organisation, members: list[Member]) -> bool:
        names = [(m.data["family_name"], m.data["given_name"]) for m in members]
        query = models.Q(pk__in=[])
        for family, given in names:
            query |= models.Q(family_name=family, given_name=given)
        found = Client.objects.filter(query, organisation=organisation).count()
        if found and found < len(names):
            self.stderr.write(
                f"Some demo clients of {organisation} exist but not all ({found}/{len(names)}): "
                "that cohort is left as it is."
            )
        return found > 0

    # -- report ---------------------------------------------------------------------------------

    def summary(self, world: World, *, created: int, skipped: int, seconds: float) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Demo data ready in {seconds:.1f} s: {created} cohort(s) of clients seeded, "
                f"{skipped} already present."
            )
        )
        columns = [(spec.short, world.programmes[spec.key]) for spec in PROGRAMMES]
        counts = Counter(
            Case.objects.filter(programme__in=[p for _label, p in columns]).values_list(
                "programme_id", "stage"
            )
        )
        out.write("")
        out.write(f"{'Cases':<12}" + "".join(f"{label:>11}" for label, _p in columns) + "  total")
        for stage in [*Stage.active(), Stage.SUSPENDED, Stage.CLOSED, ""]:
            stages = [stage] if stage else Stage.values
            row = [sum(counts[(p.pk, s)] for s in stages) for _label, p in columns]
            out.write(f"{stage or 'all':<12}" + "".join(f"{n:>11}" for n in row) + f"{sum(row):>7}")
        for label, programme in columns:
            out.write(f"  {label}: {programme}")
        out.write("")
        out.write(f"Staff accounts, all with the password: {PASSWORD}")
        out.write(
            self.style.WARNING(
                "DEMO ONLY: a published password. Never seed a server that holds real client data."
            )
        )
        for spec in STAFF:
            user = world.users[spec.username]
            profile = getattr(user, "staff_profile", None)
            # Hungarian order (family name first) for Hungarian staff.
            name = (
                f"{user.last_name} {user.first_name}"
                if spec.language == "hu"
                else f"{user.first_name} {user.last_name}"
            )
            out.write(
                f"  {spec.username:<15}{name:<18}{Role(spec.role).label!s:<23}"
                f"{profile.organisation if profile else ''}"
            )
        out.write("")
        out.write(f"Run `make run` (or `python manage.py runserver`) and open {URL}")
