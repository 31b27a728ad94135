"""Generate the per-edition layout/field-map JSON files in this folder.

The JSON files are the source of truth at run time; this script only saves
typing coordinates by hand. A new USCIS edition is a new JSON file: copy one,
change the field names / boxes / labels, and register it in ``editions.json``.

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
T_KEYS = [
    (
        "sex_trafficking_force_fraud_coercion",
        "Sex trafficking induced by force, fraud, or coercion",
    ),
    ("sex_trafficking_of_minor", "Sex trafficking of a person under 18 years of age"),
    (
        "labor_trafficking",
        "Labor trafficking (involuntary servitude, peonage, debt bondage, or slavery)",
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

    def new_page(self) -> None:
        self.page += 1
        self.y = TOP

    def part(self, number: int, title: str) -> None:
        self.y -= 18
        self.texts.append(
            {
                "page": self.page,
                "kind": "part",
                "box": [LEFT, self.y, RIGHT - LEFT, 16],
                "text": f"Part {number}. {title}",
            }
        )
        self.y -= 4

    def note(self, text: str, lines: int = 2) -> None:
        h = lines * 9.0 + 2
        self.y -= h
        self.texts.append(
            {
                "page": self.page,
                "kind": "note",
                "box": [LEFT, self.y, RIGHT - LEFT, h],
                "text": text,
            }
        )
        self.y -= 4

    def row(self, cells: list[dict[str, Any]], lines: int = 1) -> None:
        """cells: id, label, source, width (fraction), kind, field, required, empty."""
        h = BOX_1 if lines == 1 else lines * LINE_H + 4
        self.y -= LABEL_H + h
        x = LEFT
        total = RIGHT - LEFT
        for c in cells:
            w = total * c.pop("width") - 6
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
                "box": [round(x, 1), round(self.y, 1), round(w, 1), h],
                "field": self.f(c.get("field")),
            }
            self.items.append(entry)
            x += w + 6
        self.y -= 6

    def choice(
        self,
        item_id: str,
        label: str,
        source: str,
        options: list[tuple[str, str, str]],
        columns: int = 3,
        multi: bool = False,
        required: bool = True,
        inline: bool = False,
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
            self.y -= LABEL_H
            label_box = [LEFT, self.y, RIGHT - LEFT, LABEL_H]
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
            }
        )


def name_row(
    b: Builder,
    base: str,
    label: str,
    src: str,
    fields: tuple[str, str, str],
    required: bool = True,
    empty: str = "N/A",
) -> None:
    b.row(
        [
            {
                "id": f"{base}a",
                "label": f"{label}: Family Name (Last Name)",
                "source": f"{src}.family",
                "width": 0.36,
                "field": fields[0],
                "required": required,
                "empty": empty,
            },
            {
                "id": f"{base}b",
                "label": "Given Name (First Name)",
                "source": f"{src}.given",
                "width": 0.34,
                "field": fields[1],
                "required": required,
                "empty": empty,
            },
            {
                "id": f"{base}c",
                "label": "Middle Name",
                "source": f"{src}.middle",
                "width": 0.30,
                "field": fields[2],
                "required": required,
                "empty": empty,
            },
        ]
    )


def build(visa: str) -> dict[str, Any]:
    if visa == "U":
        prefix = {
            1: "form1[0].#subform[0].",
            2: "form1[0].#subform[1].",
            3: "form1[0].#subform[2].",
            4: "form1[0].pg4[0].",
            5: "form1[0].#subform[4].",
        }
    else:
        # Placeholder field names (same naming pattern); replace with the official
        # inventory of the I-914 Supplement B edition when it is available.
        prefix = {
            1: "i914b[0].Page1[0].",
            2: "i914b[0].Page2[0].",
            3: "i914b[0].Page3[0].",
            4: "i914b[0].Page4[0].",
            5: "i914b[0].Page5[0].",
        }
    b = Builder(prefix)
    yes_no = lambda line: [("yes", "Yes", f"{line}[0]"), ("no", "No", f"{line}[1]")]  # noqa: E731

    b.part(1, "Victim Information")
    b.row(
        [
            {
                "id": "1.1",
                "label": "Alien Registration Number (A-Number) (if any)",
                "source": "a_number",
                "width": 0.5,
                "field": "Part1_Line1_AlienNumber[0]",
            }
        ]
    )
    name_row(
        b,
        "1.2",
        "Victim's Full Name",
        "victim",
        ("Pt1Line2a_FamilyName[0]", "Pt1Line2a_GivenName[0]", "Pt1Line2a_MiddleName[0]"),
    )
    name_row(
        b,
        "1.3",
        "Other Names Used",
        "other_name",
        ("Pt1Line3a_FamilyName[0]", "Pt1Line3a_GivenName[0]", "Pt1Line3a_MiddleName[0]"),
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
            }
        ]
    )
    b.choice(
        "1.5",
        "5. Gender",
        "gender",
        [("male", "Male", "Part1_5_checkboxes[0]"), ("female", "Female", "Part1_5_checkboxes[1]")],
        inline=True,
        required=False,
    )

    b.part(2, "Agency Information")
    b.row(
        [
            {
                "id": "2.1",
                "label": "Name of Certifying Agency",
                "source": "agency.name",
                "width": 1.0,
                "field": "Pt2Line1_CertifyingAgency[0]",
            }
        ]
    )
    name_row(
        b,
        "2.2",
        "Name of Certifying Official",
        "official",
        ("Pt2Line2c_FamilyName[0]", "Pt2Line2c_GivenName[0]", "Pt2Line2c_MiddleName[0]"),
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
        "2.4",
        "Name of Agency Head (if the certifying official is a designee)",
        "agency_head",
        ("Pt2Line4a_FamilyName[0]", "Pt2Line4a_GivenName[0]", "Pt2Line4a_MiddleName[0]"),
    )
    b.row(
        [
            {
                "id": "2.5a",
                "label": "Agency Address: Street Number and Name",
                "source": "agency.street",
                "width": 0.7,
                "field": "StreetNumberName[0]",
            },
            {
                "id": "2.5c",
                "label": "Apt./Ste./Flr. Number",
                "source": "agency.unit_number",
                "width": 0.3,
                "field": "AptSteFlrNumber[0]",
            },
        ]
    )
    b.choice(
        "2.5b",
        "Unit type",
        "agency.unit_type",
        [
            ("apt", "Apt.", "P3_Line4c_Unit[0]"),
            ("ste", "Ste.", "P3_Line4c_Unit[1]"),
            ("flr", "Flr.", "P3_Line4c_Unit[2]"),
        ],
        inline=True,
        required=False,
    )
    b.row(
        [
            {
                "id": "2.5d",
                "label": "City or Town",
                "source": "agency.city",
                "width": 0.45,
                "field": "CityTown[0]",
            },
            {
                "id": "2.5e",
                "label": "State",
                "source": "agency.state",
                "width": 0.15,
                "field": "Pt2Line5_State[0]",
                "kind": "dropdown",
            },
            {
                "id": "2.5f",
                "label": "ZIP Code",
                "source": "agency.zip_code",
                "width": 0.4,
                "field": "Pt2Line5_ZipCode[0]",
            },
        ]
    )
    b.row(
        [
            {
                "id": "2.5g",
                "label": "Province",
                "source": "agency.province",
                "width": 0.3,
                "field": "Pt2Line5_Province[0]",
            },
            {
                "id": "2.5h",
                "label": "Postal Code",
                "source": "agency.postal_code",
                "width": 0.3,
                "field": "Pt2Line5_PostalCode[0]",
            },
            {
                "id": "2.5i",
                "label": "Country",
                "source": "agency.country",
                "width": 0.4,
                "field": "Pt2Line5_Country[0]",
            },
        ]
    )
    b.choice(
        "2.6",
        "6. Agency Type",
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
        "7. Case Status",
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
        "8. Certifying Agency Category",
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
                "label": "Agency Category: Other (explain)",
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
                "label": "Agency Case Number(s) (police report numbers)",
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
    if visa == "U":
        b.part(3, "Criminal Acts")
        b.choice(
            "3.1",
            "1. The victim is a victim of criminal activity involving or similar to violations "
            "of Federal, State, or local criminal law (select all that apply):",
            "activities",
            [(k, lbl, f"Part3_Line1_checkboxes[{i}]") for i, (k, lbl) in enumerate(U_KEYS)],
            columns=3,
            multi=True,
        )
    else:
        b.part(3, "Information About the Trafficking")
        b.choice(
            "3.1",
            "1. Type of severe form of trafficking in persons (select all that apply):",
            "activities",
            [(k, lbl, f"Part3_Line1_checkboxes[{i}]") for i, (k, lbl) in enumerate(T_KEYS)],
            columns=1,
            multi=True,
        )
    b.row(
        [
            {
                "id": f"3.2{s}",
                "label": f"2.{s} Date of Activity (mm/dd/yyyy)",
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
                "label": "3. Statutory citation(s) for the criminal activity being "
                "investigated or prosecuted",
                "source": "citations",
                "width": 1.0,
                "field": "Part3_Line3_Citations[0]",
            }
        ],
        lines=2,
    )
    b.choice(
        "3.4a",
        "4.a Did the criminal activity occur in the United States?",
        "in_us",
        yes_no("Part3_Line4a_chbxyesno"),
        inline=True,
    )
    b.row(
        [
            {
                "id": "3.4b",
                "label": "4.b Location of the criminal activity / explanation",
                "source": "location_in_us",
                "width": 1.0,
                "field": "Part3_Line4b_Explanation[0]",
            }
        ]
    )
    b.choice(
        "3.5a",
        "5.a Did it violate a Federal extraterritorial jurisdiction statute?",
        "extraterritorial",
        yes_no("Part3_Line5a_chbxyesno"),
        inline=True,
    )
    b.row(
        [
            {
                "id": "3.5b",
                "label": "5.b If yes, explanation and statutory authority",
                "source": "location_abroad",
                "width": 1.0,
                "field": "Part3_Line5b_Explanation[0]",
            }
        ]
    )
    b.row(
        [
            {
                "id": "3.6",
                "label": "6. Description of the criminal activity being investigated "
                "and/or prosecuted and the involvement of the victim",
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
                "label": "7. Known or documented injury to the victim",
                "source": "known_injuries",
                "width": 1.0,
                "field": "Part3_Line7_Explanation[0]",
                "empty": "None known",
            }
        ],
        lines=6,
    )

    b.new_page()
    b.part(4, "Helpfulness of the Victim" if visa == "U" else "Cooperation of the Victim")
    b.choice(
        "4.1",
        "1. Does the victim possess information about the criminal activity?",
        "possesses_information",
        yes_no("Part4_Line1_chbxyesno"),
        inline=True,
    )
    b.choice(
        "4.2",
        "2. Has the victim been, is the victim being, or is the victim likely to be helpful?",
        "helpful",
        yes_no("Part4_Line2_chbxyesno"),
        inline=True,
    )
    b.choice(
        "4.3",
        "3. Has the victim refused or failed to provide reasonably requested assistance?",
        "refused",
        yes_no("Part4_Line3_chbxyesno"),
        inline=True,
    )
    b.row(
        [
            {
                "id": "4.4",
                "label": "4. If the victim refused or failed to provide assistance, explain",
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
                "label": "5. Other information about the victim's helpfulness",
                "source": "helpfulness_other",
                "width": 1.0,
                "field": "Part4_Line5_Other[0]",
                "empty": "None",
            }
        ],
        lines=12,
    )

    b.new_page()
    b.part(5, "Family Members Implicated in the Criminal Activity")
    b.choice(
        "5.1",
        "1. Are any family members of the victim implicated in the criminal activity?",
        "family_any",
        yes_no("Part5_Line1_chbxyesno"),
        inline=True,
    )
    for n in (2, 3, 4):
        i = n - 2
        b.row(
            [
                {
                    "id": f"5.{n}a",
                    "label": f"{n}a. Family Name",
                    "source": f"family.{i}.family",
                    "width": 0.2,
                    "field": f"Part5_Line{n}_FamilyName[0]",
                    "required": False,
                },
                {
                    "id": f"5.{n}b",
                    "label": "Given Name",
                    "source": f"family.{i}.given",
                    "width": 0.18,
                    "field": f"Part5_Line{n}_GivenName[0]",
                    "required": False,
                },
                {
                    "id": f"5.{n}c",
                    "label": "Middle Name",
                    "source": f"family.{i}.middle",
                    "width": 0.14,
                    "field": f"Part5_Line{n}_MiddleName[0]",
                    "required": False,
                },
                {
                    "id": f"5.{n}d",
                    "label": "Relationship",
                    "source": f"family.{i}.relationship",
                    "width": 0.16,
                    "field": f"Part5_Line{n}_Relationship[0]",
                    "required": False,
                },
                {
                    "id": f"5.{n}e",
                    "label": "Involvement",
                    "source": f"family.{i}.involvement",
                    "width": 0.32,
                    "field": f"Part5_Line{n}_Involvement[0]",
                    "required": False,
                },
            ]
        )
    b.part(6, "Certification" if visa == "U" else "Declaration")
    if visa == "U":
        b.note(
            "I am the head of the agency listed in Part 2 or I am the person in the agency "
            "who has been specifically designated by the head of the agency to issue "
            "U Nonimmigrant Status Certifications on behalf of the agency. Based upon "
            "investigation of the facts, I certify, under penalty of perjury, that the "
            "individual noted in Part 1 is or was a victim of one or more of the crimes "
            "listed in Part 3. I certify that the above information is complete, true, and "
            "correct to the best of my knowledge.",
            lines=5,
        )
    else:
        b.note(
            "I am a Federal, State, Tribal, or local law enforcement official. Based upon "
            "my knowledge and the records of the agency, I declare, under penalty of "
            "perjury, that the individual noted in Part 1 is or was a victim of a severe "
            "form of trafficking in persons, and that the information in this declaration "
            "is complete, true, and correct to the best of my knowledge.",
            lines=4,
        )
    b.row(
        [
            {
                "id": "6.1",
                "label": "1. Signature of Certifying Official (sign in ink)",
                "source": "signature_text",
                "kind": "signature",
                "width": 0.7,
                "field": "Pt1Line13_ApplicantSignature[0]",
                "required": False,
            },
            {
                "id": "6.2",
                "label": "2. Date of Signature (mm/dd/yyyy)",
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
                "label": "3. Daytime Telephone Number",
                "source": "agency.phone",
                "width": 0.3,
                "field": "Part6_Line3_DaytimePhoneNumber[0]",
            },
            {
                "id": "6.4",
                "label": "4. Fax Number",
                "source": "agency.fax",
                "width": 0.3,
                "field": "P5_Line4_faxNumber[0]",
            },
            {
                "id": "6.5",
                "label": "5. Email Address",
                "source": "agency.email",
                "width": 0.4,
                "field": None,
            },
        ]
    )
    if visa == "T":
        name_row(
            b,
            "6.6",
            "Supervising Official",
            "agency_head",
            ("Pt6Line6_FamilyName[0]", "Pt6Line6_GivenName[0]", "Pt6Line6_MiddleName[0]"),
        )
        b.row(
            [
                {
                    "id": "6.7",
                    "label": "7. Signature of Supervising Official (sign in ink)",
                    "source": "supervisor_signature_text",
                    "kind": "signature",
                    "width": 0.7,
                    "field": "Pt6Line7_SupervisorSignature[0]",
                    "required": False,
                }
            ],
            lines=3,
        )

    b.new_page()
    b.part(7, "Additional Information")
    b.note(
        "If you need extra space to provide any additional information within this "
        "form, use the space below. Each entry names the page, part and item it "
        "continues.",
        lines=2,
    )
    name_row(
        b,
        "7.1",
        "Victim's Full Name",
        "victim",
        ("Pt1Line2a_FamilyName[1]", "Pt1Line2a_GivenName[1]", "Pt1Line2a_MiddleName[1]"),
    )
    b.row(
        [
            {
                "id": "7.2",
                "label": "2. A-Number (if any)",
                "source": "a_number",
                "width": 0.4,
                "field": "Part1_Line1_AlienNumber[1]",
            },
            {
                "id": "7.3",
                "label": "3. Name of Certifying Agency",
                "source": "agency.name",
                "width": 0.6,
                "field": "Pt2Line1_CertifyingAgency[1]",
            },
        ]
    )
    row_fields = {
        4: (
            "P8_Line4a_PageNumber[0]",
            "P8_Line4b_PartNumber[0]",
            "P8_Line4c_ItemNumber[0]",
            "Part7_Line4d_AdditionalInfo[0]",
        ),
        5: (
            "Part7_Line5a_PageNumber[0]",
            "Part7_Line5a_PartNumber[0]",
            "Part7_Line5a_ItemNumber[0]",
            "Part7_Line5d_AdditionalInfo[0]",
        ),
        6: (
            "P8_Line6a_PageNumber[0]",
            "P8_Line6b_PartNumber[0]",
            "P8_Line6c_ItemNumber[0]",
            "Part7_Line6d_AdditionalInfo[0]",
        ),
    }
    for n, (fp, fpa, fi, ft) in row_fields.items():
        b.row(
            [
                {
                    "id": f"7.{n}a",
                    "label": f"{n}a. Page Number",
                    "source": f"addl.{n}.page",
                    "width": 0.2,
                    "field": fp,
                    "required": False,
                },
                {
                    "id": f"7.{n}b",
                    "label": f"{n}b. Part Number",
                    "source": f"addl.{n}.part",
                    "width": 0.2,
                    "field": fpa,
                    "required": False,
                },
                {
                    "id": f"7.{n}c",
                    "label": f"{n}c. Item Number",
                    "source": f"addl.{n}.item",
                    "width": 0.2,
                    "field": fi,
                    "required": False,
                },
            ]
        )
        b.row(
            [
                {
                    "id": f"7.{n}d",
                    "label": f"{n}d. Additional information",
                    "source": f"addl.{n}.text",
                    "width": 1.0,
                    "field": ft,
                    "required": False,
                }
            ],
            lines=8,
        )
    if visa == "U":
        meta = {
            "form": "I-918 Supplement B",
            "title": "U Nonimmigrant Status Certification",
            "edition": "01/20/25",
            "visa_type": "U",
            "omb": "OMB No. 1615-0104",
            "field_names_verified": True,
        }
    else:
        meta = {
            "form": "I-914 Supplement B",
            "title": "Declaration for Trafficking Victim",
            "edition": "01/20/25",
            "visa_type": "T",
            "omb": "OMB No. 1615-0099",
            "field_names_verified": False,
        }
    return {
        **meta,
        "page_size": [PAGE_W, PAGE_H],
        "pages": b.page,
        "addl": {
            "part": 7,
            "first_row": 4,
            "rows_on_form": 3,
            "page": 5,
            "row_height": 8 * LINE_H + 4,
        },
        "items": b.items,
        "texts": b.texts,
    }


def main() -> None:
    files = {"U": "i-918-supb-01-20-25.json", "T": "i-914-supb-01-20-25.json"}
    index = {}
    for visa, name in files.items():
        spec = build(visa)
        (HERE / name).write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n")
        index[f"{visa}:{spec['edition']}"] = name
    (HERE / "editions.json").write_text(
        json.dumps({"editions": index, "current": {"U": "01/20/25", "T": "01/20/25"}}, indent=1)
        + "\n"
    )


if __name__ == "__main__":
    main()
