"""The BAAC code lists: every coded variable, its domain and its French and English labels.

This is the one place where codes are defined. Validation checks domains against it, the data
dictionary in `references/` is generated from it, the demo-data generator draws from it, and
the gravity model, the API schema and the UI form take their domains and labels from it.

Codes are those of the harmonised tables (the 2019+ numbering; older files are converted on
read). `-1` and empty cells mean "not given" and become NULL, so they are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

Table = Literal["accidents", "places", "vehicles", "persons"]


@dataclass(frozen=True)
class Code:
    value: int | str
    fr: str
    en: str


@dataclass(frozen=True)
class Variable:
    """One coded column of a harmonised table."""

    table: Table
    column: str
    fr: str
    en: str
    codes: tuple[Code, ...]
    note: str = ""

    @property
    def values(self) -> frozenset[int | str]:
        return frozenset(code.value for code in self.codes)

    def label(self, value: int | str, language: Literal["fr", "en"] = "en") -> str:
        for code in self.codes:
            if code.value == value:
                return code.fr if language == "fr" else code.en
        raise KeyError(f"{self.table}.{self.column} has no code {value!r}")


def _codes(*entries: tuple[int | str, str, str]) -> tuple[Code, ...]:
    return tuple(Code(value, fr, en) for value, fr, en in entries)


VARIABLES: tuple[Variable, ...] = (
    # --- accidents (caracteristiques) ---------------------------------------------------
    Variable(
        "accidents",
        "lum",
        "Conditions d'éclairage",
        "Light conditions",
        _codes(
            (1, "Plein jour", "Full daylight"),
            (2, "Crépuscule ou aube", "Dusk or dawn"),
            (3, "Nuit sans éclairage public", "Night, no street lighting"),
            (4, "Nuit avec éclairage public non allumé", "Night, street lighting off"),
            (5, "Nuit avec éclairage public allumé", "Night, street lighting on"),
        ),
    ),
    Variable(
        "accidents",
        "agg",
        "Localisation",
        "Built-up area",
        _codes(
            (1, "Hors agglomération", "Outside built-up area"),
            (2, "En agglomération", "Inside built-up area"),
        ),
    ),
    Variable(
        "accidents",
        "inter",
        "Type d'intersection",
        "Intersection",
        _codes(
            (1, "Hors intersection", "Not at an intersection"),
            (2, "Intersection en X", "X intersection"),
            (3, "Intersection en T", "T intersection"),
            (4, "Intersection en Y", "Y intersection"),
            (5, "Intersection à plus de 4 branches", "More than 4 branches"),
            (6, "Giratoire", "Roundabout"),
            (7, "Place", "Square"),
            (8, "Passage à niveau", "Level crossing"),
            (9, "Autre intersection", "Other intersection"),
        ),
        note="BAAC column `int`.",
    ),
    Variable(
        "accidents",
        "atm",
        "Conditions atmosphériques",
        "Weather",
        _codes(
            (1, "Normale", "Normal"),
            (2, "Pluie légère", "Light rain"),
            (3, "Pluie forte", "Heavy rain"),
            (4, "Neige - grêle", "Snow, hail"),
            (5, "Brouillard - fumée", "Fog, smoke"),
            (6, "Vent fort - tempête", "Strong wind, storm"),
            (7, "Temps éblouissant", "Dazzling"),
            (8, "Temps couvert", "Overcast"),
            (9, "Autre", "Other"),
        ),
    ),
    Variable(
        "accidents",
        "col",
        "Type de collision",
        "Collision type",
        _codes(
            (1, "Deux véhicules - frontale", "Two vehicles, head-on"),
            (2, "Deux véhicules - par l'arrière", "Two vehicles, rear-end"),
            (3, "Deux véhicules - par le côté", "Two vehicles, side"),
            (4, "Trois véhicules et plus - en chaîne", "Three or more vehicles, chain"),
            (5, "Trois véhicules et plus - collisions multiples", "Three or more, multiple"),
            (6, "Autre collision", "Other collision"),
            (7, "Sans collision", "No collision"),
        ),
    ),
    Variable(
        "accidents",
        "gps",
        "Zone géographique",
        "Geographic zone",
        _codes(
            ("M", "Métropole", "Metropolitan France"),
            ("A", "Antilles", "French West Indies"),
            ("G", "Guyane", "French Guiana"),
            ("R", "Réunion", "Reunion"),
            ("Y", "Mayotte", "Mayotte"),
            ("P", "Saint-Pierre-et-Miquelon", "Saint Pierre and Miquelon"),
            ("S", "Polynésie, Nouvelle-Calédonie, Wallis", "Pacific collectivities"),
        ),
        note="2005-2018 files only.",
    ),
    # --- places (lieux) -----------------------------------------------------------------
    Variable(
        "places",
        "catr",
        "Catégorie de route",
        "Road category",
        _codes(
            (1, "Autoroute", "Motorway"),
            (2, "Route nationale", "National road"),
            (3, "Route départementale", "Departmental road"),
            (4, "Voie communale", "Communal road"),
            (5, "Hors réseau public", "Off public network"),
            (6, "Parc de stationnement ouvert à la circulation publique", "Public car park"),
            (7, "Routes de métropole urbaine", "Metropolitan urban road"),
            (9, "Autre", "Other"),
        ),
        note="Code 7 exists from 2019 on.",
    ),
    Variable(
        "places",
        "circ",
        "Régime de circulation",
        "Traffic regime",
        _codes(
            (1, "A sens unique", "One way"),
            (2, "Bidirectionnelle", "Two way"),
            (3, "A chaussées séparées", "Separated carriageways"),
            (4, "Avec voies d'affectation variable", "Variable-assignment lanes"),
        ),
    ),
    Variable(
        "places",
        "vosp",
        "Voie réservée",
        "Reserved lane",
        _codes(
            (0, "Sans objet", "None"),
            (1, "Piste cyclable", "Cycle track"),
            (2, "Bande cyclable", "Cycle lane"),
            (3, "Voie réservée", "Reserved lane"),
        ),
    ),
    Variable(
        "places",
        "prof",
        "Profil en long",
        "Gradient",
        _codes(
            (1, "Plat", "Flat"),
            (2, "Pente", "Slope"),
            (3, "Sommet de côte", "Hilltop"),
            (4, "Bas de côte", "Bottom of hill"),
        ),
    ),
    Variable(
        "places",
        "plan",
        "Tracé en plan",
        "Road layout",
        _codes(
            (1, "Partie rectiligne", "Straight"),
            (2, "En courbe à gauche", "Left curve"),
            (3, "En courbe à droite", "Right curve"),
            (4, "En S", "S-bend"),
        ),
    ),
    Variable(
        "places",
        "surf",
        "Etat de la surface",
        "Surface condition",
        _codes(
            (1, "Normale", "Normal"),
            (2, "Mouillée", "Wet"),
            (3, "Flaques", "Puddles"),
            (4, "Inondée", "Flooded"),
            (5, "Enneigée", "Snow-covered"),
            (6, "Boue", "Mud"),
            (7, "Verglacée", "Icy"),
            (8, "Corps gras - huile", "Grease, oil"),
            (9, "Autre", "Other"),
        ),
    ),
    Variable(
        "places",
        "infra",
        "Aménagement - infrastructure",
        "Infrastructure",
        _codes(
            (0, "Aucun", "None"),
            (1, "Souterrain - tunnel", "Tunnel"),
            (2, "Pont - autopont", "Bridge"),
            (3, "Bretelle d'échangeur ou de raccordement", "Interchange ramp"),
            (4, "Voie ferrée", "Railway"),
            (5, "Carrefour aménagé", "Engineered junction"),
            (6, "Zone piétonne", "Pedestrian zone"),
            (7, "Zone de péage", "Toll zone"),
            (8, "Chantier", "Road works"),
            (9, "Autres", "Other"),
        ),
    ),
    Variable(
        "places",
        "situ",
        "Situation de l'accident",
        "Accident situation",
        _codes(
            (0, "Aucun", "None"),
            (1, "Sur chaussée", "On the carriageway"),
            (2, "Sur bande d'arrêt d'urgence", "On the hard shoulder"),
            (3, "Sur accotement", "On the verge"),
            (4, "Sur trottoir", "On the pavement"),
            (5, "Sur piste cyclable", "On a cycle track"),
            (6, "Sur autre voie spéciale", "On another special lane"),
            (8, "Autres", "Other"),
        ),
    ),
    # --- vehicles (vehicules) -----------------------------------------------------------
    Variable(
        "vehicles",
        "senc",
        "Sens de circulation",
        "Direction of travel",
        _codes(
            (0, "Inconnu", "Unknown"),
            (1, "PK ou PR ou numéro d'adresse postale croissant", "Increasing markers"),
            (2, "PK ou PR ou numéro d'adresse postale décroissant", "Decreasing markers"),
            (3, "Absence de repère", "No marker"),
        ),
    ),
    Variable(
        "vehicles",
        "catv",
        "Catégorie du véhicule",
        "Vehicle category",
        _codes(
            (0, "Indéterminable", "Undeterminable"),
            (1, "Bicyclette", "Bicycle"),
            (2, "Cyclomoteur <50cm3", "Moped < 50 cc"),
            (3, "Voiturette", "Microcar"),
            (4, "Scooter immatriculé", "Registered scooter (until 2006)"),
            (5, "Motocyclette", "Motorcycle (until 2006)"),
            (6, "Side-car", "Sidecar (until 2006)"),
            (7, "VL seul", "Car"),
            (8, "VL + caravane", "Car with caravan (until 2006)"),
            (9, "VL + remorque", "Car with trailer (until 2006)"),
            (10, "VU seul 1,5T <= PTAC <= 3,5T", "Light utility vehicle"),
            (11, "VU + caravane", "Utility vehicle with caravan (until 2006)"),
            (12, "VU + remorque", "Utility vehicle with trailer (until 2006)"),
            (13, "PL seul 3,5T < PTCA <= 7,5T", "Heavy goods 3.5-7.5 t"),
            (14, "PL seul > 7,5T", "Heavy goods > 7.5 t"),
            (15, "PL > 3,5T + remorque", "Heavy goods with trailer"),
            (16, "Tracteur routier seul", "Tractor unit"),
            (17, "Tracteur routier + semi-remorque", "Tractor with semi-trailer"),
            (18, "Transport en commun", "Public transport (until 2006)"),
            (19, "Tramway", "Tramway (until 2006)"),
            (20, "Engin spécial", "Special vehicle"),
            (21, "Tracteur agricole", "Agricultural tractor"),
            (30, "Scooter < 50 cm3", "Scooter < 50 cc"),
            (31, "Motocyclette > 50 cm3 et <= 125 cm3", "Motorcycle 50-125 cc"),
            (32, "Scooter > 50 cm3 et <= 125 cm3", "Scooter 50-125 cc"),
            (33, "Motocyclette > 125 cm3", "Motorcycle > 125 cc"),
            (34, "Scooter > 125 cm3", "Scooter > 125 cc"),
            (35, "Quad léger <= 50 cm3", "Light quad"),
            (36, "Quad lourd > 50 cm3", "Heavy quad"),
            (37, "Autobus", "Bus"),
            (38, "Autocar", "Coach"),
            (39, "Train", "Train"),
            (40, "Tramway", "Tramway"),
            (41, "3RM <= 50 cm3", "Three-wheeler <= 50 cc"),
            (42, "3RM > 50 cm3 <= 125 cm3", "Three-wheeler 50-125 cc"),
            (43, "3RM > 125 cm3", "Three-wheeler > 125 cc"),
            (50, "EDP à moteur", "Powered personal mobility device"),
            (60, "EDP sans moteur", "Unpowered personal mobility device"),
            (80, "VAE", "E-bike"),
            (99, "Autre véhicule", "Other vehicle"),
        ),
    ),
    Variable(
        "vehicles",
        "obs",
        "Obstacle fixe heurté",
        "Fixed obstacle hit",
        _codes(
            (0, "Sans objet", "None"),
            (1, "Véhicule en stationnement", "Parked vehicle"),
            (2, "Arbre", "Tree"),
            (3, "Glissière métallique", "Metal barrier"),
            (4, "Glissière béton", "Concrete barrier"),
            (5, "Autre glissière", "Other barrier"),
            (6, "Bâtiment, mur, pile de pont", "Building, wall, bridge pier"),
            (7, "Support de signalisation verticale ou poste d'appel d'urgence", "Sign post"),
            (8, "Poteau", "Pole"),
            (9, "Mobilier urbain", "Street furniture"),
            (10, "Parapet", "Parapet"),
            (11, "Ilot, refuge, borne haute", "Traffic island, bollard"),
            (12, "Bordure de trottoir", "Kerb"),
            (13, "Fossé, talus, paroi rocheuse", "Ditch, embankment, rock face"),
            (14, "Autre obstacle fixe sur chaussée", "Other fixed obstacle on road"),
            (15, "Autre obstacle fixe sur trottoir ou accotement", "Other fixed obstacle off road"),
            (16, "Sortie de chaussée sans obstacle", "Ran off road, no obstacle"),
            (17, "Buse - tête d'aqueduc", "Culvert head"),
        ),
    ),
    Variable(
        "vehicles",
        "obsm",
        "Obstacle mobile heurté",
        "Moving obstacle hit",
        _codes(
            (0, "Aucun", "None"),
            (1, "Piéton", "Pedestrian"),
            (2, "Véhicule", "Vehicle"),
            (4, "Véhicule sur rail", "Rail vehicle"),
            (5, "Animal domestique", "Domestic animal"),
            (6, "Animal sauvage", "Wild animal"),
            (9, "Autre", "Other"),
        ),
    ),
    Variable(
        "vehicles",
        "choc",
        "Point de choc initial",
        "Initial impact point",
        _codes(
            (0, "Aucun", "None"),
            (1, "Avant", "Front"),
            (2, "Avant droit", "Front right"),
            (3, "Avant gauche", "Front left"),
            (4, "Arrière", "Rear"),
            (5, "Arrière droit", "Rear right"),
            (6, "Arrière gauche", "Rear left"),
            (7, "Côté droit", "Right side"),
            (8, "Côté gauche", "Left side"),
            (9, "Chocs multiples (tonneaux)", "Multiple impacts (rollover)"),
        ),
    ),
    Variable(
        "vehicles",
        "manv",
        "Manoeuvre principale avant l'accident",
        "Manoeuvre",
        _codes(
            (0, "Inconnue", "Unknown"),
            (1, "Sans changement de direction", "No change of direction"),
            (2, "Même sens, même file", "Same direction, same lane"),
            (3, "Entre 2 files", "Between two lanes"),
            (4, "En marche arrière", "Reversing"),
            (5, "A contresens", "Wrong way"),
            (6, "En franchissant le terre-plein central", "Crossing the central reservation"),
            (7, "Dans le couloir bus, dans le même sens", "In bus lane, same direction"),
            (8, "Dans le couloir bus, dans le sens inverse", "In bus lane, opposite direction"),
            (9, "En s'insérant", "Merging"),
            (10, "En faisant demi-tour sur la chaussée", "U-turn"),
            (11, "Changeant de file à gauche", "Changing lane to the left"),
            (12, "Changeant de file à droite", "Changing lane to the right"),
            (13, "Déporté à gauche", "Swerved left"),
            (14, "Déporté à droite", "Swerved right"),
            (15, "Tournant à gauche", "Turning left"),
            (16, "Tournant à droite", "Turning right"),
            (17, "Dépassant à gauche", "Overtaking on the left"),
            (18, "Dépassant à droite", "Overtaking on the right"),
            (19, "Traversant la chaussée", "Crossing the road"),
            (20, "Manoeuvre de stationnement", "Parking manoeuvre"),
            (21, "Manoeuvre d'évitement", "Avoiding manoeuvre"),
            (22, "Ouverture de porte", "Door opening"),
            (23, "Arrêté (hors stationnement)", "Stopped (not parked)"),
            (24, "En stationnement (avec occupants)", "Parked (with occupants)"),
            (25, "Circulant sur trottoir", "Driving on the pavement"),
            (26, "Autres manoeuvres", "Other manoeuvre"),
        ),
    ),
    Variable(
        "vehicles",
        "motor",
        "Type de motorisation",
        "Engine type",
        _codes(
            (0, "Inconnue", "Unknown"),
            (1, "Hydrocarbures", "Fossil fuel"),
            (2, "Hybride électrique", "Hybrid electric"),
            (3, "Electrique", "Electric"),
            (4, "Hydrogène", "Hydrogen"),
            (5, "Humaine", "Human-powered"),
            (6, "Autre", "Other"),
        ),
        note="From 2019 on.",
    ),
    # --- persons (usagers) --------------------------------------------------------------
    Variable(
        "persons",
        "place",
        "Place occupée",
        "Seat",
        _codes(
            (1, "Conducteur", "Driver's seat"),
            (2, "Passager avant droit", "Front passenger"),
            (3, "Arrière droit", "Rear right"),
            (4, "Arrière gauche", "Rear left"),
            (5, "Arrière milieu", "Rear middle"),
            (6, "Avant milieu", "Front middle"),
            (7, "Autre place (transport en commun)", "Other seat"),
            (8, "Autre place", "Other seat"),
            (9, "Autre place", "Other seat"),
            (10, "Piéton", "Pedestrian"),
        ),
    ),
    Variable(
        "persons",
        "catu",
        "Catégorie d'usager",
        "Road user",
        _codes(
            (1, "Conducteur", "Driver"),
            (2, "Passager", "Passenger"),
            (3, "Piéton", "Pedestrian"),
            (4, "Piéton en roller ou trottinette", "Pedestrian on roller skates or scooter"),
        ),
        note="Code 4 in 2005-2018 files only.",
    ),
    Variable(
        "persons",
        "grav",
        "Gravité de blessure",
        "Injury severity",
        _codes(
            (1, "Indemne", "Unharmed"),
            (2, "Tué", "Killed"),
            (3, "Blessé hospitalisé", "Hospitalised"),
            (4, "Blessé léger", "Lightly injured"),
        ),
        note="KSI (killed or seriously injured): killed or hospitalised. 'Hospitalised' is no"
        " longer an officially labelled indicator from 2018 on.",
    ),
    Variable(
        "persons",
        "sexe",
        "Sexe",
        "Sex",
        _codes(
            (1, "Masculin", "Male"),
            (2, "Féminin", "Female"),
        ),
    ),
    Variable(
        "persons",
        "trajet",
        "Motif du déplacement",
        "Trip purpose",
        _codes(
            (0, "Non renseigné", "Not given"),
            (1, "Domicile - travail", "Commute"),
            (2, "Domicile - école", "School run"),
            (3, "Courses - achats", "Shopping"),
            (4, "Utilisation professionnelle", "Professional use"),
            (5, "Promenade - loisirs", "Leisure"),
            (9, "Autre", "Other"),
        ),
    ),
    *(
        Variable(
            "persons",
            f"secu{i}",
            f"Equipement de sécurité {i}",
            f"Safety equipment {i}",
            _codes(
                (0, "Aucun équipement", "None"),
                (1, "Ceinture", "Seat belt"),
                (2, "Casque", "Helmet"),
                (3, "Dispositif enfants", "Child seat"),
                (4, "Gilet réfléchissant", "Reflective vest"),
                (5, "Airbag (2RM/3RM)", "Airbag (two/three-wheeler)"),
                (6, "Gants (2RM/3RM)", "Gloves (two/three-wheeler)"),
                (7, "Gants + Airbag (2RM/3RM)", "Gloves and airbag"),
                (8, "Non déterminable", "Undeterminable"),
                (9, "Autre", "Other"),
            ),
            note="2005-2018 `secu` is converted: the equipment when worn, 0 when not worn, "
            "8 when unknown; the raw value is kept in `secu_raw`.",
        )
        for i in (1, 2, 3)
    ),
    Variable(
        "persons",
        "locp",
        "Localisation du piéton",
        "Pedestrian location",
        _codes(
            (0, "Sans objet", "Not applicable"),
            (1, "Sur chaussée, à + 50 m du passage piéton", "On road, over 50 m from a crossing"),
            (2, "Sur chaussée, à - 50 m du passage piéton", "On road, within 50 m of a crossing"),
            (3, "Sur passage piéton sans signalisation lumineuse", "On crossing without lights"),
            (4, "Sur passage piéton avec signalisation lumineuse", "On crossing with lights"),
            (5, "Sur trottoir", "On the pavement"),
            (6, "Sur accotement", "On the verge"),
            (7, "Sur refuge ou BAU", "On refuge or hard shoulder"),
            (8, "Sur contre allée", "On a service road"),
            (9, "Inconnue", "Unknown"),
        ),
    ),
    Variable(
        "persons",
        "actp",
        "Action du piéton",
        "Pedestrian action",
        _codes(
            ("0", "Non renseigné ou sans objet", "Not given or not applicable"),
            ("1", "Se déplaçant dans le sens du véhicule heurtant", "Moving with the vehicle"),
            ("2", "Se déplaçant dans le sens inverse du véhicule", "Moving against the vehicle"),
            ("3", "Traversant", "Crossing"),
            ("4", "Masqué", "Hidden"),
            ("5", "Jouant - courant", "Playing, running"),
            ("6", "Avec animal", "With an animal"),
            ("9", "Autre", "Other"),
            ("A", "Monte/descend du véhicule", "Getting on or off the vehicle"),
            ("B", "Inconnue", "Unknown"),
        ),
        note="Text codes: letters A and B exist from 2019 on.",
    ),
    Variable(
        "persons",
        "etatp",
        "Piéton seul ou non",
        "Pedestrian group",
        _codes(
            (0, "Sans objet", "Not applicable"),
            (1, "Seul", "Alone"),
            (2, "Accompagné", "Accompanied"),
            (3, "En groupe", "In a group"),
        ),
    ),
)

KSI_GRAV_CODES: frozenset[int] = frozenset({2, 3})
"""`grav` codes of the road-safety indicator KSI: killed or hospitalised."""


@cache
def variables_by_column() -> dict[tuple[str, str], Variable]:
    return {(v.table, v.column): v for v in VARIABLES}


def variable(table: str, column: str) -> Variable:
    """The coded variable `table.column`; KeyError names it when it is not coded."""
    try:
        return variables_by_column()[(table, column)]
    except KeyError:
        raise KeyError(f"{table}.{column} is not a coded variable") from None
