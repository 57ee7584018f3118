"""A seeded synthetic customer population for the read benchmarks, written as files to load.

    python bench/population.py OUTPUT_DIR [--customers 100000] [--seed 42]

Spanish (about 75%) and English customers, about 5% of them organisations, held by three
sources that each write them their own way:

- crm: customers in CSV (given and family names apart, dd/mm/yyyy dates, `612 34 56 78`),
  addresses in CSV (`C/ Mayor, 12`), 60% of the catalogue in CSV (upper case, decimal
  commas), interactions in CSV (store purchases, payments, visits, service cases);
- shop: customers in JSON Lines (one `full_name`, ISO dates, `+34612345678`), addresses in
  JSON Lines (`Calle Mayor 12`), the product catalogue in Parquet, interactions in Parquet
  (web purchases, deliveries, chats, service cases);
- callcentre: customers in Parquet (`GARCIA LOPEZ, JOSE`, spelled-out dates, an inline
  address), interactions in JSON Lines (calls, chats, service cases).

About 45% of the customers are held by two or three sources; a fifth of those carry typos
in one copy (a misspelt name, a nickname, a missing second surname, a date a day off or with
day and month swapped, a mistyped email domain, no phone). Customers refer to their address
records (`home`, `billing`, `work`, `shipping`), crm customers to the products they hold,
to their employer (an organisation) and to a household member. Interactions average about
20 per customer, skewed (8% have none, a few have hundreds); the call centre logs calls
against crm customer ids when it holds no record of its own (`customer_source`).

Rows are streamed to disk as they are drawn: only the e-mail addresses handed out (to keep
them unique) and the organisations stay in memory, about 20 MB at 100,000 customers.
`queries.jsonl` holds realistic searches (a name with a typo and a town, a nickname and a
birth date, a phone or an email written another way, a national id) with the source records
of the customer sought, to measure whether the search finds them; `truth.csv` says which
real customer, address or product each record describes, to score the matching.
"""

import argparse
import csv
import random
import string
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
"""The generated history ends here (fixed, so a seed always gives the same files)."""

SOURCES = {"crm": 0.9, "shop": 0.7, "callcentre": 0.5}
"""Source name -> survivorship trust."""


def names(text: str) -> list[str]:
    return text.split("|")


# --- names ------------------------------------------------------------------------------

ES_MALE = names(
    "José|Antonio|Manuel|Francisco|David|Juan|Javier|José Antonio|Daniel|José Luis|"
    "Francisco Javier|Carlos|Jesús|Alejandro|Miguel|José Manuel|Rafael|Pablo|Miguel Ángel|"
    "Pedro|Ángel|Sergio|Fernando|José María|Jorge|Luis|Alberto|Juan Carlos|Álvaro|Adrián|"
    "Juan José|Diego|Raúl|Iván|Rubén|Enrique|Óscar|Ramón|Andrés|Vicente|Joaquín|Santiago|"
    "Víctor|Eduardo|Mario|Roberto|Jaime|Ignacio|Marcos|Alfonso|Hugo|Jordi|Gonzalo|Guillermo|"
    "Salvador|Emilio|Mariano|Agustín|Tomás|Gregorio"
)
ES_FEMALE = names(
    "María Carmen|María|Carmen|Ana María|Laura|María Pilar|María Dolores|Isabel|Josefa|Marta|"
    "Cristina|María Teresa|Lucía|Ana|Francisca|Dolores|Sara|Paula|Elena|María Ángeles|"
    "Antonia|Raquel|Pilar|Rosa María|Manuela|Concepción|Mercedes|Beatriz|Nuria|Silvia|Julia|"
    "Rosario|Patricia|Alba|Irene|Andrea|Rocío|Montserrat|Mónica|Teresa|Encarnación|Alicia|"
    "Sonia|Sandra|Marina|Inmaculada|Sofía|Eva|Natalia|Ángela|Claudia|Esther|Begoña|Yolanda|"
    "Noelia|Carolina|Inés|Consuelo|Lorena|Amparo"
)
ES_SURNAMES = names(
    "García|Rodríguez|González|Fernández|López|Martínez|Sánchez|Pérez|Gómez|Martín|Jiménez|"
    "Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Alonso|Gutiérrez|Navarro|Torres|"
    "Domínguez|Vázquez|Ramos|Gil|Ramírez|Serrano|Blanco|Molina|Morales|Suárez|Ortega|Delgado|"
    "Castro|Ortiz|Rubio|Marín|Sanz|Núñez|Iglesias|Medina|Garrido|Cortés|Castillo|Santos|"
    "Lozano|Guerrero|Cano|Prieto|Méndez|Cruz|Calvo|Gallego|Vidal|León|Márquez|Herrera|Peña|"
    "Flores|Cabrera|Campos|Vega|Fuentes|Carrasco|Díez|Caballero|Reyes|Nieto|Aguilar|Pascual|"
    "Santana|Herrero|Lorenzo|Montero|Hidalgo|Giménez|Ibáñez|Ferrer|Durán|Santiago|Benítez|"
    "Mora|Vicente|Vargas|Arias|Carmona|Crespo|Román|Pastor|Soto|Sáez|Velasco|Moya|Soler|"
    "Parra|Esteban|Bravo|Gallardo|Rojas|Pardo|Merino|Franco|Espinosa|Izquierdo|Lara|Rivas|"
    "Silva|Rivera|Casado|Arroyo|Redondo|Camacho|Rey|Vera|Otero|Luque|Galán|Montes|Ríos|"
    "Sierra|Segura|Carrillo|Marcos|Marti|Soriano|Mendoza|Bernal|Robles|Vila|Valero|Palacios|"
    "Pereira|Beltrán|Varela|Bueno|Vallejo|Rosales|Quintana|Acosta|Benito|Mateo|Exposito|"
    "Salazar|Aguirre|Etxeberria|Urrutia|Zubizarreta|Goikoetxea|Puig|Casals|Vilanova|Ferrándiz"
)
EN_MALE = names(
    "James|John|Robert|Michael|William|David|Richard|Joseph|Thomas|Christopher|Charles|Daniel|"
    "Matthew|Anthony|Mark|Steven|Paul|Andrew|Joshua|Kenneth|Kevin|Brian|George|Timothy|Edward|"
    "Peter|Oliver|Harry|Jack|Samuel|Benjamin|Stephen|Ian|Gareth|Neil|Simon|Alan|Graham|"
    "Jonathan|Nicholas"
)
EN_FEMALE = names(
    "Mary|Elizabeth|Jennifer|Linda|Patricia|Susan|Jessica|Sarah|Karen|Margaret|Emily|Emma|"
    "Olivia|Sophie|Charlotte|Amelia|Hannah|Lucy|Rebecca|Catherine|Victoria|Helen|Rachel|Laura|"
    "Claire|Joanne|Nicola|Michelle|Alison|Deborah|Amanda|Louise|Gemma|Katherine|Anne|Jane|"
    "Fiona|Abigail|Chloe|Megan"
)
EN_SURNAMES = names(
    "Smith|Jones|Williams|Taylor|Brown|Davies|Evans|Wilson|Thomas|Johnson|Roberts|Robinson|"
    "Thompson|Wright|Walker|White|Edwards|Hughes|Green|Hall|Lewis|Harris|Clarke|Patel|Jackson|"
    "Wood|Turner|Martin|Cooper|Hill|Ward|Morris|Moore|Clark|Lee|King|Baker|Harrison|Morgan|"
    "Allen|James|Scott|Phillips|Watson|Davis|Parker|Price|Bennett|Young|Griffiths|Mitchell|"
    "Kelly|Cook|Carter|Richardson|Bailey|Collins|Bell|Shaw|Murphy|Miller|Cox|Richards|Khan|"
    "Marshall|Anderson|Simpson|Ellis|Adams|Singh|Begum|Wilkinson|Foster|Chapman|Powell|Webb|"
    "Rogers|Gray|Mason|Ali|O'Brien|McDonald|Fitzgerald|Hughes-Wright"
)
NICKNAMES = {
    "José": ["Pepe"], "Francisco": ["Paco", "Curro"], "Manuel": ["Manolo"], "Antonio": ["Toni"],
    "Jesús": ["Chus"], "José María": ["Chema"], "Ignacio": ["Nacho"], "Enrique": ["Kike"],
    "Dolores": ["Lola"], "Concepción": ["Concha"], "Rosario": ["Charo"], "Javier": ["Javi"],
    "Alejandro": ["Álex"], "Daniel": ["Dani"], "Eduardo": ["Edu"], "Fernando": ["Fer"],
    "Inmaculada": ["Inma"], "Isabel": ["Isa"], "Juan José": ["Juanjo"], "Mercedes": ["Merche"],
    "Montserrat": ["Montse"], "Santiago": ["Santi"], "Pilar": ["Pili"], "Consuelo": ["Chelo"],
    "Encarnación": ["Encarna"], "William": ["Bill", "Will"], "Robert": ["Bob", "Rob"],
    "Elizabeth": ["Liz", "Beth"], "James": ["Jim", "Jamie"], "Thomas": ["Tom"],
    "Michael": ["Mike"], "David": ["Dave"], "Christopher": ["Chris"], "Richard": ["Rick"],
    "Joseph": ["Joe"], "Charles": ["Charlie"], "Matthew": ["Matt"], "Anthony": ["Tony"],
    "Steven": ["Steve"], "Andrew": ["Andy"], "Timothy": ["Tim"], "Edward": ["Ed", "Ted"],
    "Samuel": ["Sam"], "Benjamin": ["Ben"], "Jonathan": ["Jon"], "Nicholas": ["Nick"],
    "Jennifer": ["Jen"], "Patricia": ["Pat", "Trish"], "Susan": ["Sue"], "Jessica": ["Jess"],
    "Margaret": ["Maggie", "Peggy"], "Rebecca": ["Becky"], "Catherine": ["Kate", "Cathy"],
    "Katherine": ["Kate"], "Victoria": ["Vicky"], "Abigail": ["Abby"], "Deborah": ["Debbie"],
}  # fmt: skip

ES_ORG_PREFIX = names(
    "Construcciones|Transportes|Talleres|Distribuciones|Inmobiliaria|Asesoría|Grupo|"
    "Comercial|Hermanos|Panadería|Farmacia|Clínica Dental|Bodegas|Ferretería|Instalaciones"
)
ES_ORG_SUFFIX = ["S.L.", "SL", "S.A.", "e Hijos S.L.", "S.L.U.", "Sociedad Limitada", ""]
EN_ORG_WORDS = names(
    "Logistics|Consulting|Builders|Trading|Engineering|Catering|Solutions|Property|Motors|"
    "Design|Accountants|Joinery|Electrical|Plumbing"
)
EN_ORG_SUFFIX = ["Ltd", "Limited", "Ltd.", "LLP", "& Sons Ltd", "Group plc"]

# --- places -----------------------------------------------------------------------------

ES_TOWNS = [
    # town, region, postcode prefix, weight (roughly the population)
    ("Madrid", "Madrid", "28", 33), ("Barcelona", "Cataluña", "08", 16),
    ("Valencia", "Comunidad Valenciana", "46", 8), ("Sevilla", "Andalucía", "41", 7),
    ("Zaragoza", "Aragón", "50", 7), ("Málaga", "Andalucía", "29", 6),
    ("Murcia", "Región de Murcia", "30", 5), ("Palma", "Illes Balears", "07", 4),
    ("Las Palmas de Gran Canaria", "Canarias", "35", 4), ("Bilbao", "País Vasco", "48", 3),
    ("Alicante", "Comunidad Valenciana", "03", 3), ("Córdoba", "Andalucía", "14", 3),
    ("Valladolid", "Castilla y León", "47", 3), ("Vigo", "Galicia", "36", 3),
    ("Gijón", "Asturias", "33", 3), ("A Coruña", "Galicia", "15", 2),
    ("Granada", "Andalucía", "18", 2), ("Vitoria-Gasteiz", "País Vasco", "01", 2),
    ("Santander", "Cantabria", "39", 2), ("Pamplona", "Navarra", "31", 2),
    ("Móstoles", "Madrid", "28", 2), ("Alcalá de Henares", "Madrid", "28", 2),
    ("L'Hospitalet de Llobregat", "Cataluña", "08", 2), ("Badalona", "Cataluña", "08", 2),
]  # fmt: skip
EN_TOWNS = [
    ("London", "Greater London", ["E", "N", "NW", "SE", "SW", "W", "EC", "WC"], 40),
    ("Manchester", "Greater Manchester", ["M"], 10), ("Birmingham", "West Midlands", ["B"], 10),
    ("Leeds", "West Yorkshire", ["LS"], 7), ("Glasgow", "Scotland", ["G"], 7),
    ("Bristol", "Bristol", ["BS"], 6), ("Liverpool", "Merseyside", ["L"], 6),
    ("Edinburgh", "Scotland", ["EH"], 6), ("Cardiff", "Wales", ["CF"], 4),
    ("Brighton", "East Sussex", ["BN"], 4),
]  # fmt: skip
ES_STREET_TYPES = [
    # full, crm abbreviation, call-centre code, weight
    ("Calle", "C/", "CL", 60), ("Avenida", "Avda.", "AV", 15), ("Plaza", "Pza.", "PL", 6),
    ("Paseo", "Pº", "PS", 5), ("Camino", "Cno.", "CM", 3), ("Ronda", "Rda.", "RD", 3),
    ("Travesía", "Trv.", "TR", 3),
]  # fmt: skip
ES_STREET_NAMES = names(
    "Mayor|Real|Nueva|Gran Vía|de Alcalá|del Sol|San Juan|Cervantes|Goya|Velázquez|"
    "Príncipe de Vergara|Colón|de la Constitución|Santa María|del Carmen|de la Paz|Castilla|"
    "Andalucía|Toledo|de Sevilla|de los Reyes Católicos|Blasco Ibáñez|de España|del Prado|"
    "Doctor Fleming|Pintor Sorolla|San Vicente|de la Libertad|de Aragón|Juan Carlos I|"
    "del Mar|de las Flores|San Francisco|Federico García Lorca|Antonio Machado|Lope de Vega|"
    "Ramón y Cajal|Isaac Peral|de la Estación|del Pilar|de Madrid|de Valencia|Jacinto Benavente"
)
EN_STREET_NAMES = names(
    "High|Station|Church|Victoria|Park|Green|Manor|Kings|Queens|Mill|Baker|Oxford|"
    "Albert|Grange|Windsor|Richmond|Highfield|London|York|Springfield|Elm|Chestnut|Cedar|"
    "Willow|Meadow|Orchard|Clarence|Castle|Bridge|Alexandra"
)
EN_STREET_TYPES = [
    ("Street", "St"), ("Road", "Rd"), ("Avenue", "Ave"), ("Lane", "Ln"), ("Close", "Cl"),
    ("Drive", "Dr"), ("Gardens", "Gdns"), ("Way", "Way"),
]  # fmt: skip

# --- products ---------------------------------------------------------------------------

CATALOGUE = [
    # category, brands, product lines, variants, price range EUR
    ("Smartphones", ["Samsung", "Apple", "Xiaomi", "Motorola", "OPPO"],
     ["Galaxy", "iPhone", "Redmi Note", "Moto G", "Reno"], ["128GB", "256GB", "512GB"],
     (150, 1400)),
    ("Portátiles", ["Lenovo", "HP", "ASUS", "Acer", "Dell"],
     ["IdeaPad", "Pavilion", "VivoBook", "Aspire", "Inspiron"],
     ["8GB 256GB", "16GB 512GB", "16GB 1TB"], (350, 2200)),
    ("Televisores", ["LG", "Samsung", "Sony", "TCL", "Philips"],
     ["OLED", "QLED", "Bravia", "UHD", "Ambilight"], ['43"', '55"', '65"'], (300, 2500)),
    ("Auriculares", ["Sony", "JBL", "Bose", "Sennheiser", "Apple"],
     ["WH", "Tune", "QuietComfort", "Momentum", "AirPods"], ["Negro", "Blanco", "Azul"], (30, 450)),
    ("Cafeteras", ["De'Longhi", "Krups", "Philips", "Nespresso", "Cecotec"],
     ["Magnifica", "Evidence", "Series 2200", "Vertuo", "Power Espresso"], ["Negro", "Plata"],
     (60, 900)),
    ("Aspiradoras", ["Dyson", "Rowenta", "Cecotec", "iRobot", "Xiaomi"],
     ["V15", "X-Force", "Conga", "Roomba", "Mi Robot"], ["Pro", "Plus", "Max"], (90, 750)),
    ("Zapatillas", ["Nike", "Adidas", "ASICS", "New Balance", "Puma"],
     ["Pegasus", "Ultraboost", "Gel-Nimbus", "Fresh Foam", "Velocity"], ["T42", "T43", "T44"],
     (60, 220)),
    ("Servicios", ["Movistar", "Vodafone", "Orange", "Mapfre", "Securitas"],
     ["Fibra", "Tarifa Móvil", "Seguro Hogar", "Garantía Extendida", "Alarma"],
     ["Básico", "Plus", "Premium"], (10, 90)),
]  # fmt: skip

# --- interactions -----------------------------------------------------------------------

TYPES = [
    # type, weight, sources in order of preference
    ("purchase", 34, ("shop", "crm")),
    ("payment", 12, ("crm", "shop")),
    ("delivery", 10, ("shop",)),
    ("call", 12, ("callcentre",)),
    ("chat", 6, ("shop", "callcentre")),
    ("visit", 4, ("crm",)),
    ("complaint", 6, ("callcentre", "crm", "shop")),
    ("request", 8, ("crm", "callcentre", "shop")),
    ("enquiry", 8, ("callcentre", "shop", "crm")),
]
CHANNELS = {
    "crm": {"purchase": ["store"], "payment": ["card", "transfer", "direct_debit"],
            "visit": ["store", "branch"], "*": ["email", "store", "phone", "letter"]},
    "shop": {"purchase": ["web", "app"], "delivery": ["courier", "pickup_point"],
             "chat": ["chat"], "payment": ["card", "paypal", "bizum"],
             "*": ["web", "app", "email"]},
    "callcentre": {"chat": ["whatsapp", "chat"], "*": ["phone"]},
}  # fmt: skip
SERVICE = {"complaint", "request", "enquiry"}
TEXTS = {
    "es": {
        "complaint": ["Producto defectuoso", "Retraso en la entrega", "Cobro duplicado",
                      "Atención recibida en tienda", "Factura incorrecta"],
        "request": ["Cambio de dirección de envío", "Solicitud de factura", "Baja del servicio",
                    "Cambio de titular", "Devolución de un pedido"],
        "enquiry": ["Estado del pedido", "Condiciones de la garantía", "Horario de la tienda",
                    "Disponibilidad de un producto", "Formas de pago"],
        "call": ["Llamada entrante", "Llamada de seguimiento", "Llamada comercial"],
        "chat": ["Consulta por chat", "Conversación por WhatsApp"],
    },
    "en": {
        "complaint": ["Faulty product", "Late delivery", "Charged twice", "Wrong invoice"],
        "request": ["Change delivery address", "Copy of invoice", "Cancel the service",
                    "Return an order"],
        "enquiry": ["Order status", "Warranty terms", "Opening hours", "Product availability"],
        "call": ["Inbound call", "Follow-up call", "Sales call"],
        "chat": ["Chat enquiry", "WhatsApp conversation"],
    },
}  # fmt: skip

SOURCE_PATTERNS = [
    # the sources that hold a person, and how often
    (("crm",), 30), (("shop",), 20), (("callcentre",), 5), (("crm", "shop"), 20),
    (("crm", "callcentre"), 10), (("shop", "callcentre"), 3), (("crm", "shop", "callcentre"), 12),
]  # fmt: skip
NOISY_SHARE = 0.2
"""Share of the customers held by several sources whose copies carry typos (not only format)."""


# --- small helpers ----------------------------------------------------------------------


def zipf_weights(count: int, exponent: float = 0.7) -> list[float]:
    """A few names are common, most are rare."""
    return [(rank + 1) ** -exponent for rank in range(count)]


def ascii_fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).replace("ñ", "n")


def typo(rng: random.Random, word: str) -> str:
    """One deleted, doubled, transposed or replaced letter inside the word."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiounrslt") + word[i + 1 :]


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni(rng: random.Random) -> str:
    if rng.random() < 0.1:  # a foreigner's NIE
        prefix = rng.choice("XYZ")
        number = rng.randrange(10**7)
        letter = DNI_LETTERS[int(f"{'XYZ'.index(prefix)}{number:07d}") % 23]
        return f"{prefix}{number:07d}{letter}"
    number = rng.randrange(10**6, 10**8)
    return f"{number:08d}{DNI_LETTERS[number % 23]}"


def cif(rng: random.Random) -> str:
    return f"{rng.choice('AB')}{rng.randrange(10**7):07d}{rng.randrange(10)}"


def nino(rng: random.Random) -> str:
    letters = "ABCEGHJKLMNPRSTWXYZ"
    return (
        f"{rng.choice(letters)}{rng.choice(letters)}{rng.randrange(10**6):06d}{rng.choice('ABCD')}"
    )


def gtin13(rng: random.Random) -> str:
    body = f"84{rng.randrange(10**10):010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def spanish_phone(rng: random.Random, mobile: bool) -> str:
    first = rng.choice("67") if mobile else "9"
    return f"{first}{rng.randrange(10**8):08d}"


def format_es_phone(national: str, style: int) -> str:
    n = national
    return [
        n,
        f"{n[:3]} {n[3:5]} {n[5:7]} {n[7:]}",
        f"+34{n}",
        f"+34 {n[:3]} {n[3:6]} {n[6:]}",
        f"0034{n}",
        f"{n[:3]}-{n[3:6]}-{n[6:]}",
        f"(+34) {n[:3]} {n[3:5]} {n[5:7]} {n[7:]}",
        f"{n[:3]}.{n[3:6]}.{n[6:]}",
    ][style]


def format_uk_phone(national: str, style: int) -> str:
    """`national` is the ten digits after +44 (7700900123)."""
    n = national
    return [
        f"+44 {n[:4]} {n[4:]}",
        f"+44{n}",
        f"0044 {n[:4]} {n[4:7]} {n[7:]}",
        f"+44 ({n[:4]}) {n[4:]}",
        f"+44-{n[:4]}-{n[4:]}",
        f"+44 {n[:4]} {n[4:7]} {n[7:]}",
        f"0044{n}",
        f"+44.{n[:4]}.{n[4:]}",
    ][style]


ES_MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
)
EN_MONTHS = "January February March April May June July August September October November December"


def spelled_date(day: date, language: str) -> str:
    if language == "es":
        return f"{day.day} de {ES_MONTHS.split()[day.month - 1]} de {day.year}"
    return f"{day.day} {EN_MONTHS.split()[day.month - 1]} {day.year}"


# --- writers ----------------------------------------------------------------------------


class CsvOut:
    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = list(columns)
        self.handle: TextIO = path.open("w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(self.columns)
        self.rows = 0

    def write(self, row: dict[str, Any]) -> None:
        self.writer.writerow(["" if row.get(c) is None else row[c] for c in self.columns])
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


class JsonlOut:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = path.open("wb")
        self.rows = 0

    def write(self, row: dict[str, Any]) -> None:
        self.handle.write(orjson.dumps({k: v for k, v in row.items() if v is not None}) + b"\n")
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


class ParquetOut:
    """Rows buffered into row groups of `batch` rows: memory stays bounded."""

    def __init__(self, path: Path, schema: pa.Schema, batch: int = 50_000) -> None:
        self.path = path
        self.schema = schema
        self.batch = batch
        self.buffer: list[dict[str, Any]] = []
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.rows = 0

    def write(self, row: dict[str, Any]) -> None:
        self.buffer.append(row)
        self.rows += 1
        if len(self.buffer) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.writer.write_table(pa.Table.from_pylist(self.buffer, schema=self.schema))
            self.buffer = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


Out = CsvOut | JsonlOut | ParquetOut


def strings(*names: str) -> list[tuple[str, pa.DataType]]:
    return [(name, pa.string()) for name in names]


# --- the population ---------------------------------------------------------------------


@dataclass
class Address:
    key: int
    """Which real address this is (two drawn alike by chance count as two)."""
    language: str
    street_type: tuple[Any, ...]
    """Spanish: (full, crm abbreviation, call-centre code, weight); English: (full, short)."""
    street: str
    number: int
    unit: str | None
    postal_code: str
    locality: str
    region: str
    ids: dict[str, str] = field(default_factory=dict)
    """Source -> the id of this address's record there, once written."""


@dataclass
class Customer:
    index: int
    language: str
    organisation: str | None
    given: str | None
    family: str | None
    second_family: str | None
    gender: str | None
    birth: date | None
    email: str | None
    phone: str
    national_id: str | None
    addresses: list[Address]
    since: date
    sources: tuple[str, ...]
    ids: dict[str, str] = field(default_factory=dict)
    products: list[int] = field(default_factory=list)
    employer: str | None = None
    household: str | None = None


@dataclass(frozen=True)
class Files:
    """What `generate` wrote: (source, entity, path, link options) in load order."""

    folder: Path
    loads: list[tuple[str, str, Path, list[str]]]
    interactions: list[tuple[str, Path]]
    queries: Path
    truth: Path
    """entity,source,source_id,key: records with the same key describe the same thing."""
    counts: dict[str, int]


def words(text: str) -> list[str]:
    return text.split()


COLUMNS = {
    "address/crm": words(
        "address_id address_line1 address_line2 postal_code locality region country"
    ),
    "product/shop": words(
        "product_id name brand manufacturer model_number gtin sku category price currency"
    ),
    "product/crm": words("product_id name brand gtin sku category price currency"),
    "customer/crm": words(
        "customer_id given_name family_name second_family_name organization_name birth_date "
        "gender email phone national_id segment customer_since home_address billing_address "
        "work_address products employer household"
    ),
    "customer/callcentre": words(
        "cc_id full_name organization_name birth_date phone email national_id address_line1 "
        "postal_code locality country preferred_language"
    ),
    "interaction/crm": words(
        "interaction_id customer_source_id type channel occurred_at amount currency "
        "product_source_id status due_at resolved_at text"
    ),
    "interaction/shop": words(
        "interaction_id customer_source_id type channel occurred_at amount currency "
        "product_source_id status due_at resolved_at text"
    ),
}
"""The columns of the CSV and Parquet files (JSON Lines rows carry their own names)."""

ID_COLUMNS = {
    ("crm", "customer"): "customer_id",
    ("callcentre", "customer"): "cc_id",
    ("crm", "address"): "address_id",
    ("shop", "product"): "product_id",
    ("crm", "product"): "product_id",
}
"""The id column of each file where it is not `id`."""

CUSTOMER_LINKS = {
    "crm": ["home_address=address:home", "billing_address=address:billing",
            "work_address=address:work", "products=product:holds",
            "employer=customer:employer", "household=customer:household"],
    "shop": ["billing_address=address:billing", "shipping_address=address:shipping"],
    "callcentre": [],
}  # fmt: skip


class Generator:
    def __init__(self, folder: Path, customers: int, seed: int) -> None:
        self.folder = folder
        self.total = customers
        self.rng = random.Random(seed)
        self.emails: set[str] = set()
        self.organisations: list[str] = []
        self.recent_crm_people: deque[Customer] = deque(maxlen=2000)
        self.counters: dict[str, int] = {}
        self.query_share = min(1.0, 4000 / max(customers, 1))
        self.weights = {
            name: zipf_weights(len(values))
            for name, values in {
                "es_male": ES_MALE,
                "es_female": ES_FEMALE,
                "es_surnames": ES_SURNAMES,
                "en_male": EN_MALE,
                "en_female": EN_FEMALE,
                "en_surnames": EN_SURNAMES,
                "es_streets": ES_STREET_NAMES,
                "en_streets": EN_STREET_NAMES,
            }.items()
        }

    def next_id(self, counter: str) -> int:
        self.counters[counter] = self.counters.get(counter, 0) + 1
        return self.counters[counter]

    def pick(self, values: Sequence[str], weights: str) -> str:
        return self.rng.choices(values, weights=self.weights[weights])[0]

    # --- files --------------------------------------------------------------------------

    def open(self) -> None:
        f = self.folder
        ts = pa.timestamp("us", tz="UTC")
        self.out: dict[str, Out] = {
            "address/crm": CsvOut(f / "addresses_crm.csv", COLUMNS["address/crm"]),
            "address/shop": JsonlOut(f / "addresses_shop.jsonl"),
            "product/shop": ParquetOut(
                f / "products_shop.parquet", pa.schema(strings(*COLUMNS["product/shop"]))
            ),
            "product/crm": CsvOut(f / "products_crm.csv", COLUMNS["product/crm"]),
            "customer/crm": CsvOut(f / "customers_crm.csv", COLUMNS["customer/crm"]),
            "customer/shop": JsonlOut(f / "customers_shop.jsonl"),
            "customer/callcentre": ParquetOut(
                f / "customers_callcentre.parquet",
                pa.schema(strings(*COLUMNS["customer/callcentre"])),
            ),
            "interaction/crm": CsvOut(f / "interactions_crm.csv", COLUMNS["interaction/crm"]),
            "interaction/shop": ParquetOut(
                f / "interactions_shop.parquet",
                pa.schema(
                    [
                        (name, ts if name.endswith("_at") else pa.string())
                        for name in COLUMNS["interaction/shop"]
                    ]
                ),
            ),
            "interaction/callcentre": JsonlOut(f / "interactions_callcentre.jsonl"),
        }
        self.queries = JsonlOut(f / "queries.jsonl")
        self.truths = CsvOut(f / "truth.csv", ["entity", "source", "source_id", "key"])

    def truth(self, entity: str, source: str, source_id: str, key: int) -> None:
        """Which real customer, address or product a record describes, for scoring matches."""
        self.truths.write({"entity": entity, "source": source, "source_id": source_id, "key": key})

    def close(self) -> Files:
        for out in self.out.values():
            out.close()
        self.queries.close()
        self.truths.close()
        loads: list[tuple[str, str, Path, list[str]]] = []
        for key in ("address/crm", "address/shop", "product/shop", "product/crm"):
            entity, source = key.split("/")
            loads.append((source, entity, self.out[key].path, []))
        for source in SOURCES:
            links = [a for link in CUSTOMER_LINKS[source] for a in ("--link", link)]
            loads.append((source, "customer", self.out[f"customer/{source}"].path, links))
        counts = {key: out.rows for key, out in self.out.items()}
        counts["queries"] = self.queries.rows
        return Files(
            self.folder,
            loads,
            [(s, self.out[f"interaction/{s}"].path) for s in SOURCES],
            self.queries.path,
            self.truths.path,
            counts,
        )

    # --- products -----------------------------------------------------------------------

    def catalogue(self) -> None:
        """A few thousand products in the shop; the crm sells 60% of them, written its way."""
        count = max(300, min(3000, self.total // 30))
        self.shop_products: list[str] = []
        self.crm_products: list[str] = []
        rng = self.rng
        for number in range(1, count + 1):
            category, brands, lines, variants, (low, high) = rng.choice(CATALOGUE)
            brand_index = rng.randrange(len(brands))
            brand, line = brands[brand_index], lines[brand_index]
            model = f"{line} {rng.randrange(2, 99)}{rng.choice(['', 'X', 'S', ' Pro', ' Lite'])}"
            variant = rng.choice(variants)
            model_number = (
                f"{''.join(rng.choices(string.ascii_uppercase, k=2))}-"
                f"{rng.randrange(100, 9999)}{rng.choice(string.ascii_uppercase)}"
            )
            gtin = gtin13(rng)
            price = round(rng.uniform(low, high), 2) - 0.01 * rng.randrange(2)
            shop_id = f"SKU{number:06d}"
            self.truth("product", "shop", shop_id, number)
            self.out["product/shop"].write(
                {
                    "product_id": shop_id,
                    "name": f"{brand} {model} {variant}",
                    "brand": brand,
                    "manufacturer": brand,
                    "model_number": model_number,
                    "gtin": gtin,
                    "sku": shop_id,
                    "category": category,
                    "price": f"{price:.2f}",
                    "currency": "EUR",
                }
            )
            self.shop_products.append(shop_id)
            if rng.random() < 0.6:
                crm_id = f"ART-{number:05d}"
                self.truth("product", "crm", crm_id, number)
                self.out["product/crm"].write(
                    {
                        "product_id": crm_id,
                        "name": f"{brand.upper()} {model.upper()} {variant.upper()}",
                        "brand": brand.upper(),
                        "gtin": gtin if rng.random() < 0.9 else "",
                        "sku": crm_id,
                        "category": category,
                        "price": f"{price * rng.choice([1, 1, 1, 0.95, 1.05]):.2f}".replace(
                            ".", ","
                        ),
                        "currency": "EUR",
                    }
                )
                self.crm_products.append(crm_id)

    # --- customers ----------------------------------------------------------------------

    def address(self, language: str) -> Address:
        rng = self.rng
        if language == "es":
            town, region, prefix, _ = rng.choices(ES_TOWNS, weights=[t[3] for t in ES_TOWNS])[0]
            unit = f"{rng.randrange(1, 9)}º {rng.choice('ABCDI')}" if rng.random() < 0.7 else None
            return Address(
                self.next_id("address"),
                "es",
                rng.choices(ES_STREET_TYPES, weights=[t[3] for t in ES_STREET_TYPES])[0],
                self.pick(ES_STREET_NAMES, "es_streets"),
                rng.randrange(1, 180),
                unit,
                f"{prefix}{rng.randrange(1, 80):03d}",
                town,
                region,
            )
        town, region, areas, _ = rng.choices(EN_TOWNS, weights=[t[3] for t in EN_TOWNS])[0]
        postcode = (
            f"{rng.choice(areas)}{rng.randrange(1, 20)} "
            f"{rng.randrange(1, 10)}{''.join(rng.choices('ABDEFGHJLNPQRSTUWXYZ', k=2))}"
        )
        return Address(
            self.next_id("address"),
            "en",
            rng.choice(EN_STREET_TYPES),
            self.pick(EN_STREET_NAMES, "en_streets"),
            rng.randrange(1, 250),
            f"Flat {rng.randrange(1, 30)}" if rng.random() < 0.3 else None,
            postcode,
            town,
            region,
        )

    def email(self, local: str, language: str, company: str | None = None) -> str:
        """A unique address: a personal one at a mail provider, or the company's own."""
        domains = (
            ["gmail.com", "hotmail.com", "yahoo.es", "outlook.es", "telefonica.net", "hotmail.es"]
            if language == "es"
            else ["gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com", "hotmail.co.uk"]
        )
        base = ascii_fold(local).lower().replace(" ", "").replace("'", "")
        if company:
            domain = f"{company}.{'es' if language == 'es' else 'co.uk'}"
        else:
            domain = self.rng.choice(domains)
        candidate = f"{base}@{domain}"
        while candidate in self.emails:
            if company:
                domain = f"{company}{self.rng.randrange(2, 99)}.com"
                candidate = f"{base}@{domain}"
            else:
                candidate = f"{base}{self.rng.randrange(1, 999)}@{domain}"
        self.emails.add(candidate)
        return candidate

    def customer(self, index: int) -> Customer:
        rng = self.rng
        language = "es" if rng.random() < 0.75 else "en"
        since = (ANCHOR - timedelta(days=rng.randrange(30, 8 * 365))).date()
        if rng.random() < 0.05:
            return self.organisation(index, language, since)
        household = None
        if self.recent_crm_people and rng.random() < 0.12:
            household = rng.choice(self.recent_crm_people)
            language = household.language
        female = rng.random() < 0.5
        if language == "es":
            given = self.pick(
                ES_FEMALE if female else ES_MALE, "es_female" if female else "es_male"
            )
            family = self.pick(ES_SURNAMES, "es_surnames")
            second: str | None = self.pick(ES_SURNAMES, "es_surnames")
        else:
            given = self.pick(
                EN_FEMALE if female else EN_MALE, "en_female" if female else "en_male"
            )
            family = self.pick(EN_SURNAMES, "en_surnames")
            second = None
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(65 * 365))
        if household is not None and household.family and rng.random() < 0.5:
            family = household.family  # a child or a spouse who took the name
        first = given.split()[0]
        local = rng.choice(
            [
                f"{first}.{family}",
                f"{first}{family}{birth.year % 100:02d}",
                f"{first[0]}{family}",
                f"{first}_{family}{second or ''}",
                f"{family}.{first}",
            ]
        )
        mobile = rng.random() < 0.85
        if language == "es":
            phone = spanish_phone(rng, mobile)
            national_id: str | None = dni(rng) if rng.random() < 0.9 else None
        else:
            phone = f"7{rng.randrange(10**9):09d}" if mobile else f"20{rng.randrange(10**8):08d}"
            national_id = nino(rng) if rng.random() < 0.5 else None
        count = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
        addresses = [self.address(language) for _ in range(count)]
        if household is not None:
            addresses[0] = household.addresses[0]
        sources = rng.choices(SOURCE_PATTERNS, weights=[p[1] for p in SOURCE_PATTERNS])[0][0]
        if household is not None and "crm" not in sources:
            sources = ("crm", *sources)
        customer = Customer(
            index,
            language,
            None,
            given,
            family,
            second,
            "F" if female else "M",
            birth,
            self.email(local, language) if rng.random() < 0.85 else None,
            phone,
            national_id,
            addresses,
            since,
            sources,
        )
        if household is not None:
            customer.household = household.ids["crm"]
        if "crm" in sources:
            if self.organisations and rng.random() < 0.2:
                customer.employer = rng.choice(self.organisations)
            if rng.random() < 0.35:
                customer.products = [
                    rng.randrange(len(self.crm_products)) for _ in range(rng.randint(1, 3))
                ]
        return customer

    def organisation(self, index: int, language: str, since: date) -> Customer:
        rng = self.rng
        if language == "es":
            owner = self.pick(ES_SURNAMES, "es_surnames")
            name = f"{rng.choice(ES_ORG_PREFIX)} {owner} {rng.choice(ES_ORG_SUFFIX)}".strip()
            phone = spanish_phone(rng, mobile=rng.random() < 0.3)
            national_id: str | None = cif(rng)
        else:
            owner = self.pick(EN_SURNAMES, "en_surnames")
            name = f"{owner} {rng.choice(EN_ORG_WORDS)} {rng.choice(EN_ORG_SUFFIX)}"
            phone = f"20{rng.randrange(10**8):08d}"
            national_id = f"{rng.randrange(10**8):08d}" if rng.random() < 0.6 else None
        words = ascii_fold(name.split()[0] + owner).lower().replace("'", "")
        email = self.email(rng.choice(["info", "admin", "contacto", "pedidos"]), language, words)
        count = rng.choices([1, 2], weights=[70, 30])[0]
        sources = ("crm", *(s for s in ("shop", "callcentre") if rng.random() < 0.3))
        return Customer(
            index,
            language,
            name,
            None,
            None,
            None,
            None,
            None,
            email,
            phone,
            national_id,
            [self.address(language) for _ in range(count)],
            since,
            sources,
        )

    def noisy(self, values: dict[str, Any]) -> dict[str, Any]:
        """One or two real data-entry errors in one copy."""
        rng = self.rng
        for _ in range(rng.randint(1, 2)):
            kind = rng.randrange(8)
            if kind == 0 and values.get("given"):
                values["given"] = typo(rng, values["given"])
            elif kind == 1 and values.get("given") in NICKNAMES:
                values["given"] = rng.choice(NICKNAMES[values["given"]])
            elif kind == 2 and values.get("family"):
                values["family"] = typo(rng, values["family"])
            elif kind == 3 and values.get("second_family"):
                values["second_family"] = None
            elif kind == 4 and values.get("birth"):
                birth = values["birth"]
                if birth.day <= 12 and birth.day != birth.month and rng.random() < 0.5:
                    values["birth"] = birth.replace(day=birth.month, month=birth.day)
                else:
                    values["birth"] = birth + timedelta(days=rng.choice([-1, 1]))
            elif kind == 5 and values.get("email"):
                user, _, domain = values["email"].partition("@")
                values["email"] = f"{user}@{typo(rng, domain)}"
            elif kind == 6:
                values["phone"] = None
            elif kind == 7 and values.get("organisation"):
                values["organisation"] = typo(rng, values["organisation"])
        return values

    def copies(self, customer: Customer) -> dict[str, dict[str, Any]]:
        """What each source knows of the customer; one copy beyond the first may be noisy."""
        base = {
            "given": customer.given,
            "family": customer.family,
            "second_family": customer.second_family,
            "organisation": customer.organisation,
            "birth": customer.birth,
            "email": customer.email,
            "phone": customer.phone,
        }
        copies = {source: dict(base) for source in customer.sources}
        if len(customer.sources) > 1 and self.rng.random() < NOISY_SHARE:
            victim = self.rng.choice(customer.sources[1:])
            copies[victim] = self.noisy(copies[victim])
        return copies

    def phone_text(self, customer: Customer, phone: str | None, styles: Sequence[int]) -> str:
        if phone is None:
            return ""
        style = self.rng.choice(styles)
        if customer.language == "en":
            return format_uk_phone(phone, style)
        return format_es_phone(phone, style)

    def address_id(self, source: str, address: Address) -> str:
        """The address's record id in `source`, writing the record the first time."""
        if source in address.ids:
            return address.ids[source]
        number = self.next_id(f"address/{source}")
        address.ids[source] = f"DIR{number:07d}" if source == "crm" else f"addr-{number}"
        self.truth("address", source, address.ids[source], address.key)
        if source == "crm":
            if address.language == "es":
                line1 = f"{address.street_type[1]} {address.street}, {address.number}"
                country = "ES"
            else:
                line1 = f"{address.number} {address.street} {address.street_type[0]}"
                country = "GB"
            self.out["address/crm"].write(
                {
                    "address_id": address.ids[source],
                    "address_line1": line1,
                    "address_line2": address.unit,
                    "postal_code": address.postal_code,
                    "locality": address.locality,
                    "region": address.region,
                    "country": country,
                }
            )
        else:
            if address.language == "es":
                line1 = f"{address.street_type[0]} {address.street} {address.number}"
                if address.unit:
                    line1 += f", {address.unit.replace('º ', '')}"
                country, line2 = "España", None
            else:
                line1 = f"{address.number} {address.street} {address.street_type[1]}"
                country, line2 = "United Kingdom", address.unit
            self.out["address/shop"].write(
                {
                    "id": address.ids[source],
                    "address_line1": line1,
                    "address_line2": line2,
                    "postal_code": address.postal_code,
                    "locality": ascii_fold(address.locality).lower(),
                    "country": country,
                }
            )
        return address.ids[source]

    def write_customer(self, customer: Customer) -> None:
        rng = self.rng
        copies = self.copies(customer)
        if "crm" in copies:
            c = copies["crm"]
            customer.ids["crm"] = f"CRM-{self.next_id('customer/crm'):07d}"
            self.truth("customer", "crm", customer.ids["crm"], customer.index)
            addresses = customer.addresses
            work = self.address_id("crm", addresses[2]) if len(addresses) > 2 else None
            home = self.address_id("crm", addresses[0])
            self.out["customer/crm"].write(
                {
                    "customer_id": customer.ids["crm"],
                    "given_name": c["given"],
                    "family_name": c["family"],
                    "second_family_name": c["second_family"],
                    "organization_name": c["organisation"],
                    "birth_date": c["birth"].strftime("%d/%m/%Y") if c["birth"] else None,
                    "gender": customer.gender,
                    "email": c["email"],
                    "phone": self.phone_text(customer, c["phone"], [0, 1, 1, 1]),
                    "national_id": customer.national_id,
                    "segment": rng.choice(["retail", "retail", "premium", "business"])
                    if customer.organisation is None
                    else "business",
                    "customer_since": customer.since.isoformat(),
                    "home_address": home if customer.organisation is None else None,
                    "billing_address": home,
                    "work_address": work,
                    "products": "|".join(self.crm_products[p] for p in customer.products),
                    "employer": customer.employer,
                    "household": customer.household,
                }
            )
        if "shop" in copies:
            c = copies["shop"]
            customer.ids["shop"] = f"web-{self.next_id('customer/shop')}"
            self.truth("customer", "shop", customer.ids["shop"], customer.index)
            billing = self.address_id("shop", customer.addresses[0])
            shipping = "|".join(self.address_id("shop", a) for a in customer.addresses[1:2])
            name = " ".join(p for p in (c["given"], c["family"], c["second_family"]) if p)
            if rng.random() < 0.3:
                name = ascii_fold(name)
            if rng.random() < 0.1:
                name = name.lower()
            self.out["customer/shop"].write(
                {
                    "id": customer.ids["shop"],
                    "full_name": name or None,
                    "organization_name": c["organisation"],
                    "birth_date": c["birth"].isoformat()
                    if c["birth"] and rng.random() < 0.5
                    else None,
                    "email": c["email"].lower() if c["email"] else None,
                    "phone": self.phone_text(customer, c["phone"], [2, 3, 4]),
                    "billing_address": billing,
                    "shipping_address": shipping or billing,
                    "newsletter": rng.random() < 0.4,
                }
            )
        if "callcentre" in copies:
            c = copies["callcentre"]
            customer.ids["callcentre"] = str(100_000 + self.next_id("customer/callcentre"))
            self.truth("customer", "callcentre", customer.ids["callcentre"], customer.index)
            surnames = " ".join(p for p in (c["family"], c["second_family"]) if p)
            first = customer.addresses[0]
            if first.language == "es":
                line1 = f"{first.street_type[2]} {first.street} {first.number}"
            else:
                line1 = f"{first.number} {first.street} {first.street_type[1]}"
            self.out["customer/callcentre"].write(
                {
                    "cc_id": customer.ids["callcentre"],
                    "full_name": ascii_fold(f"{surnames}, {c['given']}").upper()
                    if c["given"]
                    else None,
                    "organization_name": c["organisation"].upper() if c["organisation"] else None,
                    "birth_date": spelled_date(c["birth"], customer.language)
                    if c["birth"]
                    else None,
                    "phone": self.phone_text(customer, c["phone"], [5, 6, 7]) or None,
                    "email": c["email"] if rng.random() < 0.5 else None,
                    "national_id": self.national_id_text(customer.national_id),
                    "address_line1": ascii_fold(line1).upper(),
                    "postal_code": first.postal_code,
                    "locality": ascii_fold(first.locality).upper(),
                    "country": "ES" if first.language == "es" else "GB",
                    "preferred_language": customer.language,
                }
            )
        if customer.organisation is not None:
            self.organisations.append(customer.ids["crm"])
        elif "crm" in customer.ids:
            self.recent_crm_people.append(customer)

    def national_id_text(self, national_id: str | None) -> str | None:
        if national_id is None or len(national_id) != 9 or not national_id[:8].isdigit():
            return national_id
        return f"{national_id[:2]}.{national_id[2:5]}.{national_id[5:8]}-{national_id[8]}"

    # --- interactions -------------------------------------------------------------------

    def interactions(self, customer: Customer) -> None:
        rng = self.rng
        if rng.random() < 0.08:
            return
        count = min(3000, round(rng.lognormvariate(2.58, 1.0)))
        start = datetime(customer.since.year, customer.since.month, customer.since.day, tzinfo=UTC)
        span = (ANCHOR - start).total_seconds()
        types = [t for t in TYPES if self.reachable(customer, t[2])]
        weights = [t[1] for t in types]
        for _ in range(count):
            kind, _, preferred = rng.choices(types, weights=weights)[0]
            self.interaction(
                customer, kind, preferred, start + timedelta(seconds=rng.random() * span)
            )

    def reachable(self, customer: Customer, preferred: Sequence[str]) -> bool:
        if preferred == ("callcentre",):
            return "callcentre" in customer.ids or "crm" in customer.ids
        return any(s in customer.ids for s in preferred)

    def interaction(
        self, customer: Customer, kind: str, preferred: Sequence[str], occurred: datetime
    ) -> None:
        rng = self.rng
        occurred = occurred.replace(microsecond=0)
        source = next((s for s in preferred if s in customer.ids), "callcentre")
        customer_source = source if source in customer.ids else "crm"
        channels = CHANNELS[source].get(kind, CHANNELS[source]["*"])
        row: dict[str, Any] = {
            "interaction_id": None,
            "customer_source_id": customer.ids[customer_source],
            "type": kind,
            "channel": rng.choice(channels),
            "occurred_at": occurred,
        }
        if kind in ("purchase", "payment"):
            row["amount"] = f"{min(20000.0, rng.lognormvariate(3.6, 1.0)):.2f}"
            row["currency"] = "EUR"
            row["status"] = "completed" if rng.random() < 0.95 else "cancelled"
        if kind == "purchase" and source in ("shop", "crm"):
            catalogue = self.shop_products if source == "shop" else self.crm_products
            row["product_source_id"] = catalogue[
                min(len(catalogue) - 1, int(rng.paretovariate(1.2)) - 1)
                if rng.random() < 0.5
                else rng.randrange(len(catalogue))
            ]
        if kind == "delivery":
            row["status"] = rng.choice(["delivered"] * 8 + ["in_transit", "returned"])
        if kind in SERVICE:
            row["due_at"] = occurred + timedelta(days=rng.choice([2, 3, 5, 10]))
            age = ANCHOR - occurred
            if age < timedelta(days=30) and rng.random() < 0.5:
                row["status"] = rng.choice(["open", "in_progress"])
            elif rng.random() < 0.03:
                row["status"] = "open"  # forgotten: overdue
            else:
                row["status"] = rng.choice(["resolved", "closed"])
                hours = min(age.total_seconds() / 3600, rng.lognormvariate(3.4, 1.0))
                row["resolved_at"] = occurred + timedelta(seconds=round(hours * 3600))
        if kind in TEXTS[customer.language]:
            row["text"] = rng.choice(TEXTS[customer.language][kind])
        number = self.next_id(f"interaction/{source}")
        if source == "crm":
            row["interaction_id"] = f"INT{number:09d}"
            for name in ("occurred_at", "due_at", "resolved_at"):
                if row.get(name) is not None:
                    row[name] = row[name].strftime("%Y-%m-%d %H:%M:%S+00:00")
        elif source == "shop":
            row["interaction_id"] = f"ev-{number}"
        else:
            row["interaction_id"] = f"CC{number}"
            if customer_source != source:
                row["customer_source"] = customer_source
            for name in ("occurred_at", "due_at", "resolved_at"):
                if row.get(name) is not None:
                    row[name] = row[name].strftime("%Y-%m-%dT%H:%M:%SZ")
            if kind in ("call", "complaint", "enquiry", "request"):
                row["attributes"] = {
                    "duration_seconds": str(rng.randrange(20, 1800)),
                    "agent": f"A{rng.randrange(1, 120):03d}",
                }
        self.out[f"interaction/{source}"].write(row)

    # --- searches -----------------------------------------------------------------------

    def query(self, customer: Customer) -> None:
        rng = self.rng
        kinds = ["phone", "email", "national_id"]
        if customer.organisation is None:
            kinds += ["name_typo_town", "name_typo_town", "nickname_birth_date"]
        kind = rng.choice(kinds)
        params: dict[str, str] = {}
        if kind == "phone":
            styles = [s for s in range(8) if s not in (0, 1, 2)]
            params["q"] = self.phone_text(customer, customer.phone, styles)
        elif kind == "email" and customer.email:
            user, _, domain = customer.email.partition("@")
            params["q"] = f"{user.capitalize()}@{domain.upper() if rng.random() < 0.5 else domain}"
        elif kind == "national_id" and customer.national_id and customer.sources != ("shop",):
            # The shop does not ask for it. A Spanish DNI, NIE or CIF goes in the search box;
            # the search box takes a British NI or company number for a name or a phone, so
            # the agent types those in the national id field.
            text = customer.national_id
            typed = text.lower() if rng.random() < 0.5 else f"{text[:-1]}-{text[-1]}"
            spanish = customer.language == "es"
            params["q" if spanish else "national_id"] = typed
        elif kind == "name_typo_town":
            family = typo(rng, customer.family or "")
            parts = (customer.given, family, customer.second_family)
            params["name"] = " ".join(p for p in parts if p)
            params["city"] = customer.addresses[0].locality
        elif kind == "nickname_birth_date" and customer.birth:
            given = customer.given or ""
            given = rng.choice(NICKNAMES.get(given, [given]))
            params["name"] = ascii_fold(f"{given} {customer.family}")
            params["birth_date"] = customer.birth.strftime("%d-%m-%Y")
        if not params:
            return
        truth = [[source, source_id] for source, source_id in customer.ids.items()]
        self.queries.write({"kind": kind, "params": params, "truth": truth})

    # --- the whole population -----------------------------------------------------------

    def run(self, progress: Callable[[str], None]) -> Files:
        self.open()
        self.catalogue()
        started = time.perf_counter()
        step = max(1, self.total // 10)
        for index in range(self.total):
            customer = self.customer(index)
            self.write_customer(customer)
            self.interactions(customer)
            if self.rng.random() < self.query_share:
                self.query(customer)
            if (index + 1) % step == 0:
                progress(
                    f"  generated {index + 1:,} customers, "
                    f"{sum(self.out[f'interaction/{s}'].rows for s in SOURCES):,} interactions "
                    f"({time.perf_counter() - started:.0f} s)"
                )
        return self.close()


def generate(
    folder: Path, customers: int, seed: int, progress: Callable[[str], None] = print
) -> Files:
    """Write the population's files into `folder` (which must exist)."""
    return Generator(folder, customers, seed).run(progress)


def describe(files: Files) -> Iterator[str]:
    for key, rows in files.counts.items():
        yield f"  {key:<24} {rows:>10,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    files = generate(args.folder, args.customers, args.seed, lambda m: print(m, file=sys.stderr))
    print("\n".join(describe(files)))


if __name__ == "__main__":
    main()
