"""Spanish-language name data: nicknames, common given names, common surnames.

The `nicknames` package only knows English diminutives; Spanish ones are
often unrelated to the full name by spelling (Pepe = José, Paco =
Francisco), so no fuzzy comparison can find them and they must be listed.
All entries are already in normalize_text form (lowercase ASCII).
"""

from __future__ import annotations

from typing import Final


def _words(text: str) -> frozenset[str]:
    """Long name lists read best as running text, one space between names."""
    return frozenset(text.split())


# Diminutive -> the full name it stands for. Where one nickname serves two
# names the more frequent one wins (Beto is mostly Alberto; Chus/Chucho Jesús).
NICKNAMES_ES: Final[dict[str, str]] = {
    "adri": "adrian",
    "alex": "alejandro",
    "beto": "alberto",
    "bea": "beatriz",
    "charo": "rosario",
    "chayo": "rosario",
    "chelo": "consuelo",
    "chema": "jose maria",
    "chente": "vicente",
    "chucho": "jesus",
    "chus": "jesus",
    "chuy": "jesus",
    "concha": "concepcion",
    "conchi": "concepcion",
    "conchita": "concepcion",
    "curro": "francisco",
    "dani": "daniel",
    "edu": "eduardo",
    "fer": "fernando",
    "fito": "adolfo",
    "gonza": "gonzalo",
    "goyo": "gregorio",
    "guille": "guillermo",
    "inma": "inmaculada",
    "isa": "isabel",
    "javi": "javier",
    "josema": "jose maria",
    "juanjo": "juan jose",
    "kike": "enrique",
    "lalo": "eduardo",
    "lola": "dolores",
    "loli": "dolores",
    "lolita": "dolores",
    "lucho": "luis",
    "lupe": "guadalupe",
    "lupita": "guadalupe",
    "macu": "inmaculada",
    "maite": "maria teresa",
    "manolo": "manuel",
    "manu": "manuel",
    "marga": "margarita",
    "mari": "maria",
    "maribel": "maria isabel",
    "mariajo": "maria jose",
    "marisa": "maria luisa",
    "marisol": "maria soledad",
    "mayte": "maria teresa",
    "meche": "mercedes",
    "memo": "guillermo",
    "merche": "mercedes",
    "nacho": "ignacio",
    "nando": "fernando",
    "nico": "nicolas",
    "paca": "francisca",
    "paco": "francisco",
    "pancho": "francisco",
    "paqui": "francisca",
    "paquito": "francisco",
    "pepa": "josefa",
    "pepe": "jose",
    "pepito": "jose",
    "perico": "pedro",
    "pili": "pilar",
    "poncho": "alfonso",
    "quique": "enrique",
    "rafa": "rafael",
    "reme": "remedios",
    "rodri": "rodrigo",
    "rosi": "rosa",
    "santi": "santiago",
    "sole": "soledad",
    "tere": "teresa",
    "tono": "antonio",
    # "Alex" is Alejandro here, so its English full form must follow it, or
    # "Alex" and "Alexander" would stop meeting on one canonical name.
    "alexander": "alejandro",
}

# Frequent given names in Spain and Latin America, used to tell a compound
# given name (Juan Carlos) from a first surname when splitting one-field names.
GIVEN_NAMES_ES: Final[frozenset[str]] = _words(
    """
    adolfo adrian agustin alba alberto alejandra alejandro alfonso alfredo alicia alvaro
    amparo ana andrea andres angel angela angeles antonia antonio armando arturo ainhoa
    beatriz begona camila carla carlos carmen carolina catalina cesar claudia clara
    concepcion consuelo cristian cristina daniel daniela david diana diego dolores
    eduardo elena emilio encarnacion enrique ernesto esperanza esther eva fabian
    fatima felipe felix fernando francisca francisco gabriel gabriela gerardo gloria
    gonzalo gregorio guadalupe guillermo gustavo hector hernan hugo humberto ignacio
    ines inmaculada irene isabel ismael ivan jaime jairo javier jesus joaquin jorge
    jose josefa juan juana julia julian julio laura leonardo leticia lorena lourdes
    lucas lucia luis luisa luz manuel manuela mar margarita maria mariana marina mario
    marta mauricio mercedes miguel milagros miriam monica montserrat natalia nicolas
    nieves noelia nuria omar oscar pablo patricia paula paz pedro pilar rafael ramon
    raquel raul remedios ricardo roberto rocio rodrigo rosa rosario ruben samuel sandra
    sara sebastian sergio silvia sofia soledad sonia susana teresa valentina veronica
    victor victoria virginia yolanda
    """
)

# Frequent surnames in Spain and Latin America. Some are also given names
# (Martín, Santos, Cruz), which is why the splitter must know them: in
# "Juan Martín Pérez" Martín is far more often a first surname.
SURNAMES_ES: Final[frozenset[str]] = _words(
    """
    acosta aguilar alonso alvarez arias blanco bravo caballero cabrera calvo campos
    cano cardenas cardona carmona carrasco castillo castro cortes crespo cruz delgado
    diaz diez dominguez duran esteban fernandez ferrer flores franco fuentes gallardo
    gallego garcia garrido gil gimenez gomez gonzalez guerrero gutierrez guzman
    hernandez herrera herrero hidalgo ibanez iglesias jaramillo jimenez leon lopez
    lorenzo lozano marin marquez martin martinez medina mejia mendez mendoza molina
    montero montoya mora morales moreno moya munoz navarro nieto nunez ortega ortiz
    osorio ospina parra pascual pastor pena perez prieto quintero ramirez ramos restrepo
    reyes rincon rios rivera rodriguez rojas roman romero rubio ruiz saez salazar
    sanchez santana santiago santos sanz serrano silva soler soto suarez torres valencia
    vargas vasquez vazquez vega velasco vicente vidal zapata
    """
)
