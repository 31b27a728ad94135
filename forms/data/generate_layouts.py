"""Generate the per-edition layout/field-map JSON files in this folder.

The JSON files are the source of truth at run time; this script only saves
typing coordinates by hand. A new USCIS edition is a new JSON file: copy one,
change the field names / boxes / labels, and register it in ``editions.json``.

What is known about each form is in ``shared/forms/SUPPLEMENT-B-SOURCES.md``.
Every item and text carries ``wording_verified``: true only where a source gives
the printed wording (for the I-918 Supplement B: Part 1 and Part 2 item 1 of the
04/01/2024 layout; for the I-914 Supplement B: Part 1 of the 04/01/2024 text and
the titles of Part 3 and Part 9). Everything else is the project's best reading,
marked unverified, and the I-914 Supplement B field names are placeholders
(``field_names_verified: false``). Items appear only where the edition has them:
no tracking box, no email item, no U-only question on the T declaration.

Run: python forms/data/generate_layouts.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PAGE_W, PAGE_H = 612.0, 792.0
LEFT, RIGHT = 40.0, 572.0
TOP, BOTTOM = 700.0, 60.0
LABEL_H = 10.0
LINE_H = 11.0
BOX_1 = 15.0
PREFIX_W = 16.0  # room for a printed prefix before a box ("A-")

U_KEYS = [
    ("abduction", "Abduction"),
    ("abusive_sexual_contact", "Abusive Sexual Contact"),
    ("attempt", "Attempt to commit any of the named crimes"),
    ("hostage", "Being Held Hostage"),
    ("blackmail", "Blackmail"),
    ("conspiracy", "Conspiracy to commit any of the named crimes"),
    ("domestic_violence", "Domestic Violence"),
    ("extortion", "Extortion"),
    ("false_imprisonment", "False Imprisonment"),
    ("felonious_assault", "Felonious Assault"),
    ("female_genital_mutilation", "Female Genital Mutilation"),
    ("fraud_in_foreign_labor_contracting", "Fraud in Foreign Labor Contracting"),
    ("incest", "Incest"),
    ("involuntary_servitude", "Involuntary Servitude"),
    ("kidnapping", "Kidnapping"),
    ("manslaughter", "Manslaughter"),
    ("murder", "Murder"),
    ("obstruction_of_justice", "Obstruction of Justice"),
    ("peonage", "Peonage"),
    ("perjury", "Perjury"),
    ("prostitution", "Prostitution"),
    ("rape", "Rape"),
    ("sexual_assault", "Sexual Assault"),
    ("sexual_exploitation", "Sexual Exploitation"),
    ("slave_trade", "Slave Trade"),
    ("solicitation", "Solicitation to commit any of the named crimes"),
    ("stalking", "Stalking"),
    ("torture", "Torture"),
    ("trafficking", "Trafficking"),
    ("unlawful_criminal_restraint", "Unlawful Criminal Restraint"),
    ("witness_tampering", "Witness Tampering"),
]
# The three branches of "severe form of trafficking in persons" (8 CFR 214.201).
T_KEYS = [
    (
        "sex_trafficking_force_fraud_coercion",
        "Sex trafficking in which a commercial sex act is induced by force, fraud, or coercion",
    ),
    (
        "sex_trafficking_of_minor",
        "Sex trafficking in which the person induced to perform the act is under 18 years of age",
    ),
    (
        "labor_trafficking",
        "Labor or services through force, fraud, or coercion for the purpose of subjection to "
        "involuntary servitude, peonage, debt bondage, or slavery",
    ),
]
COOPERATION = [
    ("complied", "Yes"),
    ("not_complied", "No"),
    ("under_18", "No; exception: the victim is under 18 years of age"),
    (
        "trauma",
        "No; exception: the victim is unable to cooperate due to physical or psychological trauma",
    ),
]


class Builder:
    def __init__(self, prefix: dict[int, str]) -> None:
        self.items: list[dict[str, Any]] = []
        self.texts: list[dict[str, Any]] = []
        self.page = 1
        self.y = TOP
        self.prefix = prefix  # page -> field name prefix

    def f(self, name: str | None) -> str | None:
        return None if name is None else self.prefix[self.page] + name

    def _room(self) -> None:
        assert self.y >= BOTTOM, f"page {self.page} overflows (y={self.y})"

    def new_page(self) -> None:
        self.page += 1
        self.y = TOP

    def part(self, number: int, title: str, verified: bool) -> None:
        self.y -= 18
        self.texts.append(
            {
                "page": self.page,
                "kind": "part",
                "box": [LEFT, self.y, RIGHT - LEFT, 16],
                "text": f"Part {number}. {title}",
                "wording_verified": verified,
            }
        )
        self.y -= 4
        self._room()

    def note(self, text: str, verified: bool, lines: int = 2) -> None:
        h = lines * 9.0 + 2
        self.y -= h
        self.texts.append(
            {
                "page": self.page,
                "kind": "note",
                "box": [LEFT, self.y, RIGHT - LEFT, h],
                "text": text,
                "wording_verified": verified,
            }
        )
        self.y -= 4
        self._room()

    def row(self, cells: list[dict[str, Any]], lines: int = 1) -> None:
        """cells: id, label, source, width (fraction), kind, field, required, empty, verified,
        prefix (printed before the box, e.g. "A-")."""
        h = BOX_1 if lines == 1 else lines * LINE_H + 4
        self.y -= LABEL_H + h
        x = LEFT
        total = RIGHT - LEFT
        for c in cells:
            w = total * c.pop("width") - 6
            bx, bw = (x + PREFIX_W, w - PREFIX_W) if c.get("prefix") else (x, w)
            part, item = c["id"].split(".", 1)
            entry = {
                "id": c["id"],
                "part": int(part),
                "item": item,
                "label": c["label"],
                "kind": c.get("kind", "text" if lines == 1 else "multiline"),
                "source": c["source"],
                "required": c.get("required", True),
                "empty": c.get("empty", "N/A"),
                "page": self.page,
                "box": [round(bx, 1), round(self.y, 1), round(bw, 1), h],
                "field": self.f(c.get("field")),
                "wording_verified": c.get("verified", False),
            }
            if c.get("prefix"):
                entry["prefix"] = c["prefix"]
            self.items.append(entry)
            x += w + 6
        self.y -= 6
        self._room()

    def choice(
        self,
        item_id: str,
        label: str,
        source: str,
        options: list[tuple[str, str, str | None]],
        columns: int = 3,
        multi: bool = False,
        required: bool = True,
        inline: bool = False,
        verified: bool = False,
    ) -> None:
        part, item = item_id.split(".", 1)
        opts = []
        if inline:
            self.y -= 14
            label_box = [LEFT, self.y, 360.0, 12.0]
            x = LEFT + 370
            for key, olabel, field in options:
                opts.append(
                    {
                        "value": key,
                        "label": olabel,
                        "field": self.f(field),
                        "box": [x, self.y + 1.5, 9.0, 9.0],
                    }
                )
                x += 56
            self.y -= 4
        else:
            label_lines = 2 if len(label) > 150 else 1
            self.y -= LABEL_H * label_lines
            label_box = [LEFT, self.y, RIGHT - LEFT, LABEL_H * label_lines]
            colw = (RIGHT - LEFT) / columns
            rows = (len(options) + columns - 1) // columns
            top = self.y
            for i, (key, olabel, field) in enumerate(options):
                col, r = divmod(i, rows)
                oy = top - 12 * (r + 1)
                opts.append(
                    {
                        "value": key,
                        "label": olabel,
                        "field": self.f(field),
                        "box": [round(LEFT + col * colw, 1), oy, 9.0, 9.0],
                    }
                )
            self.y = top - 12 * rows - 6
        self.items.append(
            {
                "id": item_id,
                "part": int(part),
                "item": item,
                "label": label,
                "kind": "checkbox",
                "multi": multi,
                "source": source,
                "required": required,
                "page": self.page,
                "label_box": label_box,
                "options": opts,
                "wording_verified": verified,
            }
        )
        self._room()


def yes_no(line: str) -> list[tuple[str, str, str | None]]:
    return [("yes", "Yes", f"{line}[0]"), ("no", "No", f"{line}[1]")]


def name_row(
    b: Builder,
    ids: tuple[str, str, str],
    src: str,
    fields: tuple[str | None, str | None, str | None],
    *,
    lead: str = "",
    middle: str = "Middle Name",
    required: bool = True,
    verified: bool = False,
    widths: tuple[float, float, float] = (0.36, 0.34, 0.30),
) -> None:
    labels = (f"{lead}Family Name (Last Name)", "Given Name (First Name)", middle)
    parts = ("family", "given", "middle")
    b.row(
        [
            {
                "id": ids[i],
                "label": labels[i],
                "source": f"{src}.{parts[i]}",
                "width": widths[i],
                "field": fields[i],
                "required": required,
                "verified": verified,
            }
            for i in range(3)
        ]
    )


def address(b: Builder, ids: dict[str, str], fields: dict[str, str], foreign: bool) -> None:
    b.row(
        [
            {
                "id": ids["street"],
                "label": "Agency Address: Street Number and Name",
                "source": "agency.street",
                "width": 0.7,
                "field": fields["street"],
            },
            {
                "id": ids["unit_number"],
                "label": "Apt./Ste./Flr. Number",
                "source": "agency.unit_number",
                "width": 0.3,
                "field": fields["unit_number"],
            },
        ]
    )
    b.choice(
        ids["unit_type"],
        "Apt./Ste./Flr.",
        "agency.unit_type",
        [("apt", "Apt.", fields["unit0"]), ("ste", "Ste.", fields["unit1"]), ("flr", "Flr.", fields["unit2"])],
        inline=True,
        required=False,
    )  # fmt: skip
    b.row(
        [
            {"id": ids["city"], "label": "City or Town", "source": "agency.city", "width": 0.45, "field": fields["city"]},
            {"id": ids["state"], "label": "State", "source": "agency.state", "width": 0.15, "field": fields["state"], "kind": "dropdown"},
            {"id": ids["zip"], "label": "ZIP Code", "source": "agency.zip_code", "width": 0.4, "field": fields["zip"]},
        ]
    )  # fmt: skip
    if foreign:
        b.row(
            [
                {"id": ids["province"], "label": "Province", "source": "agency.province", "width": 0.3, "field": fields["province"]},
                {"id": ids["postal"], "label": "Postal Code", "source": "agency.postal_code", "width": 0.3, "field": fields["postal"]},
                {"id": ids["country"], "label": "Country", "source": "agency.country", "width": 0.4, "field": fields["country"]},
            ]
        )  # fmt: skip


def family_rows(b: Builder, part: int, rows: tuple[int, ...], field: str) -> None:
    for i, n in enumerate(rows):
        labels = ("Family Name (Last Name)", "Given Name (First Name)", "Middle Name")
        names = ("FamilyName", "GivenName", "MiddleName", "Relationship", "Involvement")
        sources = ("family", "given", "middle", "relationship", "involvement")
        all_labels = (*labels, "Relationship", "Involvement")
        widths = (0.2, 0.18, 0.14, 0.16, 0.32)
        b.row(
            [
                {
                    "id": f"{part}.{n}{'abcde'[k]}",
                    "label": all_labels[k],
                    "source": f"family.{i}.{sources[k]}",
                    "width": widths[k],
                    "field": field.format(n=n, name=names[k]),
                    "required": False,
                }
                for k in range(5)
            ]
        )


def addl_rows(b: Builder, part: int, fields: dict[int, tuple[str, str, str, str]]) -> None:
    for n, (fp, fpa, fi, ft) in fields.items():
        b.row(
            [
                {"id": f"{part}.{n}a", "label": "Page Number", "source": f"addl.{n}.page", "width": 0.2, "field": fp, "required": False},
                {"id": f"{part}.{n}b", "label": "Part Number", "source": f"addl.{n}.part", "width": 0.2, "field": fpa, "required": False},
                {"id": f"{part}.{n}c", "label": "Item Number", "source": f"addl.{n}.item", "width": 0.2, "field": fi, "required": False},
            ]
        )  # fmt: skip
        b.row(
            [
                {
                    "id": f"{part}.{n}d",
                    "label": "Additional Information",
                    "source": f"addl.{n}.text",
                    "width": 1.0,
                    "field": ft,
                    "required": False,
                }
            ],
            lines=8,
        )


def build_u() -> dict[str, Any]:
    b = Builder(
        {
            1: "form1[0].#subform[0].",
            2: "form1[0].#subform[1].",
            3: "form1[0].#subform[2].",
            4: "form1[0].pg4[0].",
            5: "form1[0].#subform[4].",
        }
    )
    b.note("START HERE - Type or print in black or blue ink.", True, lines=1)
    b.part(1, "Victim Information", True)
    b.row(
        [
            {
                "id": "1.1",
                "label": "Alien Registration Number (A-Number) (if any)",
                "source": "a_number",
                "width": 0.5,
                "field": "Part1_Line1_AlienNumber[0]",
                "prefix": "A-",
                "verified": True,
            }
        ]
    )
    name_row(
        b,
        ("1.2a", "1.2b", "1.2c"),
        "victim",
        ("Pt1Line2a_FamilyName[0]", "Pt1Line2a_GivenName[0]", "Pt1Line2a_MiddleName[0]"),
        verified=True,
    )
    b.note(
        "Other Names Used (Include maiden names, nicknames, and aliases, if applicable.)",
        True,
        lines=1,
    )
    name_row(
        b,
        ("1.3a", "1.3b", "1.3c"),
        "other_name.0",
        ("Pt1Line3a_FamilyName[0]", "Pt1Line3a_GivenName[0]", "Pt1Line3a_MiddleName[0]"),
        verified=True,
    )
    b.row(
        [
            {
                "id": "1.4",
                "label": "Date of Birth (mm/dd/yyyy)",
                "source": "date_of_birth",
                "kind": "date",
                "width": 0.3,
                "field": "P1_Line4_DateOfBirth[0]",
                "verified": True,
            }
        ]
    )
    b.choice(
        "1.5",
        "Gender",
        "gender",
        [("male", "Male", "Part1_5_checkboxes[0]"), ("female", "Female", "Part1_5_checkboxes[1]")],
        inline=True,
        required=False,
        verified=True,
    )

    b.part(2, "Agency Information", False)
    b.row(
        [
            {
                "id": "2.1",
                "label": "Name of Certifying Agency",
                "source": "agency.name",
                "width": 1.0,
                "field": "Pt2Line1_CertifyingAgency[0]",
                "verified": True,
            }
        ]
    )
    name_row(
        b,
        ("2.2a", "2.2b", "2.2c"),
        "official",
        ("Pt2Line2c_FamilyName[0]", "Pt2Line2c_GivenName[0]", "Pt2Line2c_MiddleName[0]"),
        lead="Certifying Official's ",
    )
    b.row(
        [
            {
                "id": "2.3",
                "label": "Title and Division/Office of Certifying Official",
                "source": "official_title",
                "width": 1.0,
                "field": "Pt2Line3_TitleandDivisionOffice[0]",
            }
        ]
    )
    name_row(
        b,
        ("2.4a", "2.4b", "2.4c"),
        "agency_head",
        ("Pt2Line4a_FamilyName[0]", "Pt2Line4a_GivenName[0]", "Pt2Line4a_MiddleName[0]"),
        lead="Head of the Certifying Agency (if you are not the head): ",
    )
    address(
        b,
        {"street": "2.5a", "unit_type": "2.5b", "unit_number": "2.5c", "city": "2.5d",
         "state": "2.5e", "zip": "2.5f", "province": "2.5g", "postal": "2.5h", "country": "2.5i"},
        {"street": "StreetNumberName[0]", "unit_number": "AptSteFlrNumber[0]",
         "unit0": "P3_Line4c_Unit[0]", "unit1": "P3_Line4c_Unit[1]", "unit2": "P3_Line4c_Unit[2]",
         "city": "CityTown[0]", "state": "Pt2Line5_State[0]", "zip": "Pt2Line5_ZipCode[0]",
         "province": "Pt2Line5_Province[0]", "postal": "Pt2Line5_PostalCode[0]",
         "country": "Pt2Line5_Country[0]"},
        foreign=True,
    )  # fmt: skip
    b.choice(
        "2.6",
        "Agency Type",
        "agency.agency_type",
        [
            ("federal", "Federal", "Part2_Line6_checkboxes[0]"),
            ("state", "State", "Part2_Line6_checkboxes[1]"),
            ("local", "Local", "Part2_Line6_checkboxes[2]"),
        ],
        inline=True,
    )
    b.choice(
        "2.7",
        "Case Status",
        "case_status",
        [
            ("ongoing", "Ongoing", "Part2_Line7_checkboxes[0]"),
            ("completed", "Completed", "Part2_Line7_checkboxes[1]"),
            ("other", "Other", "Part2_Line7_checkboxes[2]"),
        ],
        inline=True,
    )
    b.row(
        [
            {
                "id": "2.7o",
                "label": "Case Status: Other (explain)",
                "source": "case_status_other",
                "width": 1.0,
                "field": "Part2_Line7_Other[0]",
                "required": False,
            }
        ]
    )
    b.choice(
        "2.8",
        "Certifying Agency Category",
        "agency.category",
        [
            ("law_enforcement", "Law Enforcement", "Part2_Line8_checkboxes[0]"),
            ("prosecutor", "Prosecutor", "Part2_Line8_checkboxes[1]"),
            ("judge", "Judge", "Part2_Line8_checkboxes[2]"),
            ("other", "Other", "Part2_Line8_checkboxes[3]"),
        ],
        columns=4,
    )
    b.row(
        [
            {
                "id": "2.8o",
                "label": "Certifying Agency Category: Other (explain)",
                "source": "agency.category_other",
                "width": 1.0,
                "field": "Part2_Line8_Other[0]",
                "required": False,
            }
        ]
    )
    b.row(
        [
            {
                "id": "2.9",
                "label": "Agency Case Number",
                "source": "report_numbers",
                "width": 0.6,
                "field": "Part2_Line9_CaseNumber[0]",
            },
            {
                "id": "2.10",
                "label": "FBI Number or State Identification (SID) Number",
                "source": "fbi_or_sid_number",
                "width": 0.4,
                "field": "Part2_Line10_FBIorSIDNumber[0]",
            },
        ]
    )

    b.new_page()
    b.part(3, "Criminal Acts", False)
    b.choice(
        "3.1",
        "The victim is a victim of criminal activity involving or similar to violations of one of "
        "the following Federal, State, or local criminal offenses (select all that apply):",
        "activities",
        [(k, lbl, f"Part3_Line1_checkboxes[{i}]") for i, (k, lbl) in enumerate(U_KEYS)],
        columns=3,
        multi=True,
    )
    b.row(
        [
            {
                "id": f"3.2{s}",
                "label": "Date of Criminal Activity (mm/dd/yyyy)",
                "source": f"dates.{i}",
                "kind": "date",
                "width": 0.25,
                "field": f"Part3_Line2{s}_Date[0]",
                "required": i == 0,
            }
            for i, s in enumerate("abcd")
        ]
    )
    b.row(
        [
            {
                "id": "3.3",
                "label": "Statutory citation(s) for the criminal activity being investigated or "
                "prosecuted",
                "source": "citations",
                "width": 1.0,
                "field": "Part3_Line3_Citations[0]",
            }
        ],
        lines=2,
    )
    b.choice(
        "3.4a",
        "Did the criminal activity occur in the United States, including Indian country and "
        "military installations, or the territories or possessions of the United States?",
        "in_us",
        yes_no("Part3_Line4a_chbxyesno"),
        columns=4,
    )
    b.row(
        [
            {
                "id": "3.4b",
                "label": "Location where the criminal activity occurred",
                "source": "location",
                "width": 1.0,
                "field": "Part3_Line4b_Explanation[0]",
            }
        ]
    )
    b.choice(
        "3.5a",
        "Did the criminal activity violate a Federal extraterritorial jurisdiction statute?",
        "extraterritorial",
        yes_no("Part3_Line5a_chbxyesno"),
        inline=True,
    )
    b.row(
        [
            {
                "id": "3.5b",
                "label": "If Yes, the statutory authority for extraterritorial jurisdiction",
                "source": "extraterritorial_explanation",
                "width": 1.0,
                "field": "Part3_Line5b_Explanation[0]",
            }
        ]
    )
    b.row(
        [
            {
                "id": "3.6",
                "label": "Description of the criminal activity being investigated and/or "
                "prosecuted and the involvement of the individual named in Part 1",
                "source": "description",
                "width": 1.0,
                "field": "Part3_Line6_Explanation[0]",
            }
        ],
        lines=12,
    )
    b.row(
        [
            {
                "id": "3.7",
                "label": "Known or documented injury to the victim",
                "source": "known_injuries",
                "width": 1.0,
                "field": "Part3_Line7_Explanation[0]",
                "empty": "None known",
            }
        ],
        lines=6,
    )

    b.new_page()
    b.part(4, "Helpfulness of the Victim", False)
    b.choice(
        "4.1",
        "Does the victim possess information about the criminal activity listed in Part 3?",
        "possesses_information",
        yes_no("Part4_Line1_chbxyesno"),
        inline=True,
    )
    b.choice(
        "4.2",
        "Has the victim been, is the victim being, or is the victim likely to be helpful in the "
        "detection, investigation, or prosecution of the criminal activity listed in Part 3?",
        "helpful",
        yes_no("Part4_Line2_chbxyesno"),
        columns=4,
    )
    b.choice(
        "4.3",
        "Has the victim refused or failed to provide assistance reasonably requested in the "
        "investigation or prosecution of the criminal activity listed in Part 3?",
        "refused",
        yes_no("Part4_Line3_chbxyesno"),
        columns=4,
    )
    b.row(
        [
            {
                "id": "4.4",
                "label": "If Yes to Item Number 3, explain",
                "source": "refusal_explanation",
                "width": 1.0,
                "field": "Part4_Line3_Other[0]",
            }
        ],
        lines=5,
    )
    b.row(
        [
            {
                "id": "4.5",
                "label": "Description of the victim's helpfulness",
                "source": "helpfulness_narrative",
                "width": 1.0,
                "field": "Part4_Line5_Other[0]",
            }
        ],
        lines=16,
    )

    b.new_page()
    b.part(5, "Family Members Implicated in the Criminal Activity", False)
    b.choice(
        "5.1",
        "Are any of the victim's family members implicated in the criminal activity?",
        "family_any",
        yes_no("Part5_Line1_chbxyesno"),
        inline=True,
    )
    family_rows(b, 5, (2, 3, 4), "Part5_Line{n}_{name}[0]")
    b.part(6, "Certification", False)
    b.note(
        "I am the head of the agency listed in Part 2 or I am the person in the agency "
        "who has been specifically designated by the head of the agency to issue "
        "U Nonimmigrant Status Certifications on behalf of the agency. Based upon "
        "investigation of the facts, I certify, under penalty of perjury, that the "
        "individual noted in Part 1 is or was a victim of one or more of the crimes "
        "listed in Part 3. I certify that the above information is complete, true, and "
        "correct to the best of my knowledge.",
        False,
        lines=5,
    )
    b.row(
        [
            {
                "id": "6.1",
                "label": "Signature of Certifying Official",
                "source": "signature_text",
                "kind": "signature",
                "width": 0.7,
                "field": "Pt1Line13_ApplicantSignature[0]",
                "required": False,
            },
            {
                "id": "6.2",
                "label": "Date of Signature (mm/dd/yyyy)",
                "source": "signature_date",
                "kind": "date",
                "width": 0.3,
                "field": "Part6_Line2_Date[0]",
                "required": False,
            },
        ],
        lines=3,
    )
    b.row(
        [
            {
                "id": "6.3",
                "label": "Certifying Official's Daytime Telephone Number",
                "source": "official.phone",
                "width": 0.5,
                "field": "Part6_Line3_DaytimePhoneNumber[0]",
            },
            {
                "id": "6.4",
                "label": "Certifying Official's Fax Number",
                "source": "agency.fax",
                "width": 0.5,
                "field": "P5_Line4_faxNumber[0]",
            },
        ]
    )

    b.new_page()
    b.part(7, "Additional Information", False)
    b.note(
        "If you need extra space to provide any additional information within this form, use "
        "the space below.",
        False,
        lines=1,
    )
    name_row(
        b,
        ("7.1a", "7.1b", "7.1c"),
        "victim",
        ("Pt1Line2a_FamilyName[1]", "Pt1Line2a_GivenName[1]", "Pt1Line2a_MiddleName[1]"),
    )
    b.row(
        [
            {
                "id": "7.2",
                "label": "A-Number (if any)",
                "source": "a_number",
                "width": 0.4,
                "field": "Part1_Line1_AlienNumber[1]",
                "prefix": "A-",
            },
            {
                "id": "7.3",
                "label": "Name of Certifying Agency",
                "source": "agency.name",
                "width": 0.6,
                "field": "Pt2Line1_CertifyingAgency[1]",
            },
        ]
    )
    addl_rows(
        b,
        7,
        {
            4: ("P8_Line4a_PageNumber[0]", "P8_Line4b_PartNumber[0]", "P8_Line4c_ItemNumber[0]", "Part7_Line4d_AdditionalInfo[0]"),
            5: ("Part7_Line5a_PageNumber[0]", "Part7_Line5a_PartNumber[0]", "Part7_Line5a_ItemNumber[0]", "Part7_Line5d_AdditionalInfo[0]"),
            6: ("P8_Line6a_PageNumber[0]", "P8_Line6b_PartNumber[0]", "P8_Line6c_ItemNumber[0]", "Part7_Line6d_AdditionalInfo[0]"),
        },
    )  # fmt: skip
    return {
        "form": "I-918 Supplement B",
        "title": "U Nonimmigrant Status Certification",
        "edition": "01/20/25",
        "edition_line": "Form I-918 Supplement B Edition 01/20/25",
        "visa_type": "U",
        "omb": "OMB No. 1615-0104",
        "field_names_verified": True,
        "layout_note": (
            "Field names: the 133 names of the 01/20/25 field inventory. Printed wording "
            "confirmed only where an item says wording_verified (04/01/2024 layout)."
        ),
        "facsimile_note": "Item wording unverified except Part 1 and Part 2, Item 1.",
        "page_size": [PAGE_W, PAGE_H],
        "pages": b.page,
        "addl": {"part": 7, "first_row": 4, "rows_on_form": 3, "page": 5},
        "lists": {"other_names": 1, "dates": 4, "family": 3},
        "items": b.items,
        "texts": b.texts,
    }


def build_t() -> dict[str, Any]:
    # Placeholder field names (same naming pattern); replace with the official inventory of the
    # I-914 Supplement B edition when it is available (field_names_verified: false).
    b = Builder({n: f"i914b[0].Page{n}[0]." for n in range(1, 6)})
    b.note(
        "START HERE - Type or print in ink. Federal, State, Tribal, or local law enforcement "
        "agencies should complete this form for victims under the Victims of Trafficking and "
        "Violence Protection Act (VTVPA), Public Law 106-386, as amended.",
        False,
        lines=2,
    )
    b.part(1, "Victim Information", True)
    b.note("Full Legal Name", True, lines=1)
    name_row(
        b,
        ("1.1a", "1.1b", "1.1c"),
        "victim",
        ("P1Line1_FamilyName[0]", "P1Line1_GivenName[0]", "P1Line1_MiddleName[0]"),
        middle="Middle Name (if any)",
        verified=True,
    )
    b.note(
        "Other Names Used. Provide any other names the victim has used since birth, including "
        "aliases, maiden names, and nicknames. If you need extra space to complete this "
        "section, use the space provided in Part 9. Additional Information.",
        True,
        lines=2,
    )
    for row, ids in enumerate((("1.2a", "1.2b", "1.2c"), ("1.2d", "1.2e", "1.2f"))):
        name_row(
            b,
            ids,
            f"other_name.{row}",
            (f"P1Line2_FamilyName[{row}]", f"P1Line2_GivenName[{row}]", f"P1Line2_MiddleName[{row}]"),
            middle="Middle Name (if any)",
            required=row == 0,
            verified=True,
        )  # fmt: skip
    b.row(
        [
            {
                "id": "1.3",
                "label": "Date of Birth (mm/dd/yyyy)",
                "source": "date_of_birth",
                "kind": "date",
                "width": 0.3,
                "field": "P1Line3_DateOfBirth[0]",
                "verified": True,
            }
        ]
    )
    b.choice(
        "1.4",
        "Gender or Sex",
        "gender",
        [
            ("male", "Male", "P1Line4_Gender[0]"),
            ("female", "Female", "P1Line4_Gender[1]"),
            ("other", "Other", "P1Line4_Gender[2]"),
        ],
        inline=True,
        required=False,
        verified=True,
    )
    b.row(
        [
            {
                "id": "1.5",
                "label": "Alien Registration Number (A-Number) (if any)",
                "source": "a_number",
                "width": 0.5,
                "field": "P1Line5_AlienNumber[0]",
                "prefix": "A-",
                "verified": True,
            },
            {
                "id": "1.6",
                "label": "U.S. Social Security Number (SSN) (if any)",
                "source": "ssn",
                "width": 0.5,
                "field": "P1Line6_SSN[0]",
                "required": False,
                "verified": True,
            },
        ]
    )

    b.part(2, "Agency Information", False)
    b.row(
        [
            {
                "id": "2.1",
                "label": "Name of Law Enforcement Agency",
                "source": "agency.name",
                "width": 1.0,
                "field": "P2Line1_AgencyName[0]",
            }
        ]
    )
    name_row(
        b,
        ("2.2a", "2.2b", "2.2c"),
        "official",
        ("P2Line2_FamilyName[0]", "P2Line2_GivenName[0]", "P2Line2_MiddleName[0]"),
        lead="Law Enforcement Official's ",
    )
    b.row(
        [
            {
                "id": "2.3",
                "label": "Title and Division/Office of the Law Enforcement Official",
                "source": "official_title",
                "width": 1.0,
                "field": "P2Line3_TitleDivision[0]",
            }
        ]
    )
    address(
        b,
        {"street": "2.4a", "unit_type": "2.4b", "unit_number": "2.4c", "city": "2.4d",
         "state": "2.4e", "zip": "2.4f"},
        {"street": "P2Line4_Street[0]", "unit_number": "P2Line4_AptSteFlrNumber[0]",
         "unit0": "P2Line4_Unit[0]", "unit1": "P2Line4_Unit[1]", "unit2": "P2Line4_Unit[2]",
         "city": "P2Line4_City[0]", "state": "P2Line4_State[0]", "zip": "P2Line4_ZipCode[0]"},
        foreign=False,
    )  # fmt: skip
    b.row(
        [
            {
                "id": "2.5",
                "label": "Agency Case Number",
                "source": "report_numbers",
                "width": 0.6,
                "field": "P2Line5_CaseNumber[0]",
            }
        ]
    )

    b.new_page()
    b.part(3, "Statement of Claim", True)
    b.choice(
        "3.1",
        "The victim is or was a victim of a severe form of trafficking in persons (select all "
        "that apply):",
        "activities",
        [(k, lbl, f"P3Line1_Type[{i}]") for i, (k, lbl) in enumerate(T_KEYS)],
        columns=1,
        multi=True,
    )
    b.row(
        [
            {
                "id": f"3.2{s}",
                "label": "Date of the Trafficking (mm/dd/yyyy)",
                "source": f"dates.{i}",
                "kind": "date",
                "width": 0.25,
                "field": f"P3Line2{s}_Date[0]",
                "required": i == 0,
            }
            for i, s in enumerate("abcd")
        ]
    )
    b.row(
        [
            {
                "id": "3.3",
                "label": "Statutory citation(s) for the trafficking investigated or prosecuted "
                "(if any)",
                "source": "citations",
                "width": 1.0,
                "field": "P3Line3_Citations[0]",
            }
        ],
        lines=2,
    )
    b.row(
        [
            {
                "id": "3.4",
                "label": "Description of the trafficking and of the victim's involvement",
                "source": "description",
                "width": 1.0,
                "field": "P3Line4_Description[0]",
            }
        ],
        lines=20,
    )

    b.new_page()
    b.part(4, "Cooperation of the Victim", False)
    b.choice(
        "4.1",
        "Has the victim complied with any reasonable request for assistance in the "
        "investigation or prosecution (if opened or initiated)?",
        "cooperation",
        [(k, lbl, f"P4Line1_Cooperation[{i}]") for i, (k, lbl) in enumerate(COOPERATION)],
        columns=1,
    )
    b.row(
        [
            {
                "id": "4.2",
                "label": "Description of the victim's cooperation",
                "source": "helpfulness_narrative",
                "width": 1.0,
                "field": "P4Line2_Description[0]",
            }
        ],
        lines=14,
    )
    b.part(5, "Family Members Implicated in the Trafficking", False)
    b.choice(
        "5.1",
        "Are any of the victim's family members implicated in the trafficking?",
        "family_any",
        yes_no("P5Line1_YesNo"),
        inline=True,
    )
    family_rows(b, 5, (2, 3, 4), "P5Line{n}_{name}[0]")

    b.new_page()
    b.part(6, "Declaration", False)
    b.note(
        "I am a Federal, State, Tribal, or local law enforcement official. Based upon "
        "my knowledge and the records of the agency, I declare, under penalty of "
        "perjury, that the individual noted in Part 1 is or was a victim of a severe "
        "form of trafficking in persons, and that the information in this declaration "
        "is complete, true, and correct to the best of my knowledge.",
        False,
        lines=4,
    )
    b.row(
        [
            {
                "id": "6.1",
                "label": "Signature of Law Enforcement Official",
                "source": "signature_text",
                "kind": "signature",
                "width": 0.7,
                "field": "P6Line1_Signature[0]",
                "required": False,
            },
            {
                "id": "6.2",
                "label": "Date of Signature (mm/dd/yyyy)",
                "source": "signature_date",
                "kind": "date",
                "width": 0.3,
                "field": "P6Line2_Date[0]",
                "required": False,
            },
        ],
        lines=3,
    )
    b.row(
        [
            {
                "id": "6.3",
                "label": "Daytime Telephone Number",
                "source": "official.phone",
                "width": 0.5,
                "field": "P6Line3_DaytimePhone[0]",
            },
            {
                "id": "6.4",
                "label": "Fax Number",
                "source": "agency.fax",
                "width": 0.5,
                "field": "P6Line4_Fax[0]",
            },
        ]
    )
    name_row(
        b,
        ("6.5a", "6.5b", "6.5c"),
        "supervisor",
        ("P6Line5_FamilyName[0]", "P6Line5_GivenName[0]", "P6Line5_MiddleName[0]"),
        lead="Supervising Official's ",
    )
    b.row(
        [
            {
                "id": "6.6",
                "label": "Title and Division/Office of the Supervising Official",
                "source": "supervisor_title",
                "width": 1.0,
                "field": "P6Line6_Title[0]",
            }
        ]
    )
    b.row(
        [
            {
                "id": "6.7",
                "label": "Signature of Supervising Official",
                "source": "supervisor_signature_text",
                "kind": "signature",
                "width": 0.7,
                "field": "P6Line7_Signature[0]",
                "required": False,
            }
        ],
        lines=3,
    )

    b.new_page()
    b.part(9, "Additional Information", True)
    b.note(
        "Parts 7 and 8 of the edition are not reproduced here (their content is unverified). "
        "Use the space below for anything that does not fit.",
        False,
        lines=1,
    )
    name_row(
        b,
        ("9.1a", "9.1b", "9.1c"),
        "victim",
        ("P9Line1_FamilyName[0]", "P9Line1_GivenName[0]", "P9Line1_MiddleName[0]"),
    )
    b.row(
        [
            {
                "id": "9.2",
                "label": "A-Number (if any)",
                "source": "a_number",
                "width": 0.4,
                "field": "P9Line2_AlienNumber[0]",
                "prefix": "A-",
            }
        ]
    )
    addl_rows(
        b,
        9,
        {
            n: (f"P9Line{n}a_Page[0]", f"P9Line{n}b_Part[0]", f"P9Line{n}c_Item[0]", f"P9Line{n}d_Info[0]")
            for n in (3, 4, 5)
        },
    )  # fmt: skip
    return {
        "form": "I-914 Supplement B",
        "title": "Declaration for Trafficking Victim",
        "edition": "01/20/25",
        "edition_line": "Form I-914 Supplement B Edition 01/20/25",
        "visa_type": "T",
        "omb": "OMB No. 1615-0099",
        "field_names_verified": False,
        "layout_note": (
            "UNVERIFIED: only Part 1 (04/01/2024 text) and the titles of Part 3 and Part 9 are "
            "confirmed; Parts 2 and 4-8 and every field name are the project's placeholders."
        ),
        "facsimile_note": "Layout unverified except Part 1 and the titles of Parts 3 and 9.",
        "page_size": [PAGE_W, PAGE_H],
        "pages": b.page,
        "addl": {"part": 9, "first_row": 3, "rows_on_form": 3, "page": 5},
        "lists": {"other_names": 2, "dates": 4, "family": 3},
        "items": b.items,
        "texts": b.texts,
    }


def main() -> None:
    files = {"U": ("i-918-supb-01-20-25.json", build_u), "T": ("i-914-supb-01-20-25.json", build_t)}
    editions: dict[str, Any] = {}
    for visa, (name, build) in files.items():
        spec = build()
        (HERE / name).write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n")
        editions[f"{visa}:{spec['edition']}"] = {
            "layout": name,
            "stem": name.removesuffix(".json"),
            "edition_line": spec["edition_line"],
            "inventory": "i-918-supb-01-20-25.fields.json" if visa == "U" else None,
        }
    index = {"editions": editions, "current": {"U": "01/20/25", "T": "01/20/25"}}
    (HERE / "editions.json").write_text(json.dumps(index, indent=1) + "\n")


if __name__ == "__main__":
    main()
