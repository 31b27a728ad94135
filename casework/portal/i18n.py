"""English and Spanish text of the portal, and the choice of language per request."""

from __future__ import annotations

import re
from typing import Protocol

from forms.activities import OTHER_RELATED, OTHER_RELATED_LABEL, T_TYPE_LABELS, U_ACTIVITY_LABELS

LANGUAGES = ("en", "es")
DEFAULT = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


class Translate(Protocol):
    def __call__(self, key: str, **values: object) -> str: ...


# key: (English, Spanish)
TEXT: dict[str, tuple[str, str]] = {
    "site_title": ("Certification requests", "Solicitudes de certificación"),
    "department": ("Police Department", "Departamento de Policía"),
    "skip": ("Skip to main content", "Ir al contenido principal"),
    "language": ("Language", "Idioma"),
    "nav_submit": ("Submit a request", "Enviar una solicitud"),
    "nav_status": ("Check a request", "Consultar una solicitud"),
    "intro": (
        "Use this form to ask the department to sign Form I-918 Supplement B (U visa) or "
        "Form I-914 Supplement B (T visa) for a victim you represent. The department does not "
        "ask about immigration status. Fields marked (required) must be filled in.",
        "Use este formulario para pedir al departamento que firme el Formulario I-918 "
        "Suplemento B (visa U) o el Formulario I-914 Suplemento B (visa T) para una víctima "
        "a quien usted representa. El departamento no pregunta sobre el estatus migratorio. "
        "Los campos marcados (obligatorio) deben completarse.",
    ),
    "required": ("required", "obligatorio"),
    "optional": ("optional", "opcional"),
    "submit_button": ("Submit the request", "Enviar la solicitud"),
    "error_summary": ("There is a problem with the request", "Hay un problema con la solicitud"),
    "error_summary_intro": (
        "Nothing was stored. Correct the fields below and submit again.",
        "No se guardó nada. Corrija los campos indicados y envíe de nuevo.",
    ),
    "files_again": (
        "For your security, files are not kept after an error: choose the PDF files again.",
        "Por su seguridad, los archivos no se guardan tras un error: vuelva a elegir los PDF.",
    ),
    "error_prefix": ("Error:", "Error:"),
    "entry": ("entry", "entrada"),
    # sections
    "sec_visa": ("Type of certification", "Tipo de certificación"),
    "sec_requester": ("About you (the requester)", "Sus datos (solicitante)"),
    "sec_victim": ("The victim", "La víctima"),
    "sec_incident": ("The criminal activity", "La actividad delictiva"),
    "sec_helpfulness": ("The victim's helpfulness", "La colaboración de la víctima"),
    "sec_family": (
        "Family members implicated in the criminal activity",
        "Familiares implicados en la actividad delictiva",
    ),
    "sec_urgency": ("Urgency", "Urgencia"),
    "sec_attachments": ("Supporting documents", "Documentos de respaldo"),
    # visa
    "visa_type": ("Which certification do you ask for?", "¿Qué certificación solicita?"),
    "visa_U": (
        "U visa: Form I-918 Supplement B (certification)",
        "Visa U: Formulario I-918 Suplemento B (certificación)",
    ),
    "visa_T": (
        "T visa: Form I-914 Supplement B (declaration for a trafficking victim)",
        "Visa T: Formulario I-914 Suplemento B (declaración para víctima de trata)",
    ),
    # requester
    "requester.name": ("Your full name", "Su nombre completo"),
    "requester.organization": ("Organization", "Organización"),
    "requester.role": ("Your role", "Su función"),
    "role_victim_advocate": ("Victim advocate", "Defensor(a) de víctimas"),
    "role_attorney": ("Attorney", "Abogado(a)"),
    "role_accredited_representative": ("Accredited representative", "Representante acreditado"),
    "role_self": ("I am the victim", "Soy la víctima"),
    "requester.email": (
        "Email (the reply goes here)",
        "Correo electrónico (la respuesta llega aquí)",
    ),
    "requester.phone": ("Phone", "Teléfono"),
    "requester.mailing_address": ("Mailing address", "Dirección postal"),
    # victim
    "victim.family_name": ("Family name (last name)", "Apellido(s)"),
    "victim.given_name": ("Given name (first name)", "Nombre(s)"),
    "victim.middle_name": ("Middle name", "Segundo nombre"),
    "victim.other_names": ("Other names used", "Otros nombres usados"),
    "victim.date_of_birth": ("Date of birth", "Fecha de nacimiento"),
    "victim.gender": ("Gender (as on Supplement B)", "Sexo (como en el Suplemento B)"),
    "gender_": ("Not given", "No indicado"),
    "gender_female": ("Female", "Femenino"),
    "gender_male": ("Male", "Masculino"),
    "victim.a_number": ("A-Number, if the victim has one", "Número A, si la víctima lo tiene"),
    "victim.preferred_language": ("Victim's preferred language", "Idioma preferido de la víctima"),
    "lang_": ("Not given", "No indicado"),
    # incident
    "incident.police_report_numbers": ("Police report numbers", "Números de informe policial"),
    "incident.dates": ("Dates of the criminal activity", "Fechas de la actividad delictiva"),
    "incident.location": ("Where it happened", "Dónde ocurrió"),
    "incident.qualifying_activities": (
        "Qualifying criminal activity",
        "Actividad delictiva que califica",
    ),
    "activities_U": (
        "For a U visa: qualifying criminal activity",
        "Para una visa U: actividad delictiva que califica",
    ),
    "activities_T": ("For a T visa: type of trafficking", "Para una visa T: tipo de trata"),
    "incident.other_activity_description": (
        "Describe the other related activity",
        "Describa la otra actividad relacionada",
    ),
    "incident.statutory_citations": (
        "Statutes investigated or prosecuted",
        "Leyes investigadas o procesadas",
    ),
    "incident.description": ("What happened", "Qué ocurrió"),
    "incident.known_injuries": ("Known injuries to the victim", "Lesiones conocidas de la víctima"),
    # helpfulness
    "helpfulness.summary": (
        "How has the victim helped, or how will they help?",
        "¿Cómo ha colaborado o colaborará la víctima?",
    ),
    "helpfulness.flags": ("The victim…", "La víctima…"),
    "helpfulness.possesses_information": (
        "The victim possesses information about the criminal activity",
        "La víctima tiene información sobre la actividad delictiva",
    ),
    "helpfulness.has_been_helpful": ("The victim has been helpful", "La víctima ha colaborado"),
    "helpfulness.is_being_helpful": ("The victim is being helpful", "La víctima está colaborando"),
    "helpfulness.likely_to_be_helpful": (
        "The victim is likely to be helpful",
        "La víctima probablemente colaborará",
    ),
    # family
    "family_member": ("Family member {n}", "Familiar {n}"),
    "family.family_name": ("Family name (last name)", "Apellido(s)"),
    "family.given_name": ("Given name (first name)", "Nombre(s)"),
    "family.middle_name": ("Middle name", "Segundo nombre"),
    "name.family_name": ("Family name (last name)", "Apellido(s)"),
    "name.given_name": ("Given name (first name)", "Nombre(s)"),
    "name.middle_name": ("Middle name", "Segundo nombre"),
    "family.relationship": ("Relationship to the victim", "Parentesco con la víctima"),
    "family.involvement": ("Involvement", "Participación"),
    # urgency
    "urgency.flags": ("Is any of these true?", "¿Se da alguna de estas situaciones?"),
    "urgency.in_removal_proceedings": (
        "The victim is in removal proceedings",
        "La víctima está en proceso de deportación",
    ),
    "urgency.in_detention": ("The victim is in detention", "La víctima está detenida"),
    "urgency.family_member_turning_21_on": (
        "A family member turns 21 on",
        "Un familiar cumple 21 años el",
    ),
    # attachments
    "attachments": ("PDF files", "Archivos PDF"),
    # hints
    "hint_date": ("For example 2024-06-14", "Por ejemplo 2024-06-14"),
    "hint_slots": (
        "One per box; leave the boxes you do not need empty.",
        "Uno por casilla; deje vacías las que no necesite.",
    ),
    "hint_names": (
        "Each name in its boxes, as on the form; leave the rows you do not need empty.",
        "Cada nombre en sus casillas, como en el formulario; deje vacías las filas que no necesite.",
    ),
    "hint_citations": ("For example M.G.L. c. 265 s. 13M", "Por ejemplo M.G.L. c. 265 s. 13M"),
    "hint_other": (
        "Required when you tick the other related activity.",
        "Obligatorio si marca la otra actividad relacionada.",
    ),
    "hint_a_number": (
        "7 to 9 digits, for example A012345678",
        "7 a 9 dígitos, por ejemplo A012345678",
    ),
    "hint_family": (
        "Only if a family member took part in the criminal activity.",
        "Solo si un familiar participó en la actividad delictiva.",
    ),
    "hint_urgency": (
        "Any of these makes the request expedited.",
        "Cualquiera de estas situaciones acelera la solicitud.",
    ),
    "hint_attachments": (
        "Up to {files} PDF files, {mb} MB each: for example the police report, the victim's "
        "statement, protective orders. Files must not be password-protected.",
        "Hasta {files} archivos PDF de {mb} MB cada uno: por ejemplo el informe policial, la "
        "declaración de la víctima, órdenes de protección. Sin contraseña.",
    ),
    "hint_email": (
        "The acknowledgment with your private status link is sent here.",
        "Aquí se envía el acuse de recibo con su enlace privado de seguimiento.",
    ),
    # success
    "success_title": ("Request received", "Solicitud recibida"),
    "case_number": ("Case number", "Número de caso"),
    "response_due": ("Response due by", "Respuesta a más tardar el"),
    "status_link": ("Your private status link", "Su enlace privado de seguimiento"),
    "access_code": ("Access code", "Código de acceso"),
    "success_keep": (
        "Keep the link and the code private: anyone who has them can see the status of this "
        "request. They are shown only once.",
        "Guarde el enlace y el código en privado: quien los tenga puede ver el estado de esta "
        "solicitud. Solo se muestran una vez.",
    ),
    "email_sent": (
        "We sent an acknowledgment with this link to {email}.",
        "Enviamos un acuse de recibo con este enlace a {email}.",
    ),
    "email_failed": (
        "The request is stored, but the acknowledgment email could not be sent. Copy the link "
        "and the code now.",
        "La solicitud está guardada, pero no se pudo enviar el correo de acuse de recibo. "
        "Copie ahora el enlace y el código.",
    ),
    "duplicate_title": ("This request was already received", "Esta solicitud ya fue recibida"),
    "duplicate_body": (
        "A request for the same victim and police report is already on file, so nothing new "
        "was stored. The person who filed it received a private status link by email.",
        "Ya hay una solicitud para la misma víctima e informe policial, así que no se guardó "
        "nada nuevo. Quien la presentó recibió un enlace privado de seguimiento por correo.",
    ),
    # status
    "status_title": ("Request status", "Estado de la solicitud"),
    "stage": ("Stage", "Etapa"),
    "received_on": ("Received on", "Recibida el"),
    "info_requested": ("Information requested", "Información solicitada"),
    "documents": ("Documents", "Documentos"),
    "no_documents": ("No documents yet.", "Todavía no hay documentos."),
    "download": ("Download", "Descargar"),
    "supplement_title": ("Send the information requested", "Enviar la información solicitada"),
    "supplement.text": ("Your answer", "Su respuesta"),
    "supplement.files": ("PDF files", "Archivos PDF"),
    "supplement_button": ("Send", "Enviar"),
    "supplement_sent": (
        "Thank you. The information was received and the request is back in review.",
        "Gracias. La información fue recibida y la solicitud volvió a revisión.",
    ),
    "supplement_empty": (
        "Write an answer or attach a document.",
        "Escriba una respuesta o adjunte un documento.",
    ),
    "supplement_closed": (
        "This request is not waiting for information any more.",
        "Esta solicitud ya no está esperando información.",
    ),
    "lookup_title": ("Check a request", "Consultar una solicitud"),
    "lookup_intro": (
        "Use the private link from the acknowledgment email, or enter the case number, your "
        "email and the access code from that email.",
        "Use el enlace privado del correo de acuse de recibo, o escriba el número de caso, su "
        "correo y el código de acceso de ese correo.",
    ),
    "lookup.case_number": ("Case number", "Número de caso"),
    "lookup.email": ("Your email", "Su correo electrónico"),
    "lookup.code": ("Access code", "Código de acceso"),
    "lookup_button": ("Show the status", "Mostrar el estado"),
    "not_found_title": ("Request not found", "Solicitud no encontrada"),
    "not_found": (
        "We could not find a request with these details. Check the link, or the case number, "
        "email and access code, and try again.",
        "No encontramos una solicitud con estos datos. Revise el enlace, o el número de caso, "
        "el correo y el código de acceso, e intente de nuevo.",
    ),
    "rate_limited": (
        "Too many attempts from your address. Wait a minute and try again.",
        "Demasiados intentos desde su dirección. Espere un minuto e intente de nuevo.",
    ),
    "csrf_failed": (
        "This form expired or was not sent from this site. Reload the page and try again.",
        "Este formulario caducó o no se envió desde este sitio. Recargue la página e intente "
        "de nuevo.",
    ),
    "too_large": (
        "The upload is too large: at most {files} files of {mb} MB each.",
        "El envío es demasiado grande: como máximo {files} archivos de {mb} MB cada uno.",
    ),
    "expedited": ("Expedited", "Acelerada"),
    "yes": ("Yes", "Sí"),
    # stages
    "stage_received": ("Received", "Recibida"),
    "stage_received_help": (
        "The request passed intake and is waiting to be reviewed.",
        "La solicitud pasó la recepción y espera revisión.",
    ),
    "stage_review": ("Being reviewed", "En revisión"),
    "stage_review_help": (
        "A designated certifier is reviewing the request.",
        "Un certificador designado está revisando la solicitud.",
    ),
    "stage_info": ("Information requested", "Información solicitada"),
    "stage_info_help": (
        "The department needs more information from you before it can decide. Answer below.",
        "El departamento necesita más información suya para decidir. Responda abajo.",
    ),
    "stage_decided": ("Decision made", "Decisión tomada"),
    "stage_decided_help": (
        "The department has decided; the documents are being prepared for you.",
        "El departamento ya decidió; se están preparando los documentos para usted.",
    ),
    "stage_delivered": ("Decision made: documents sent", "Decisión tomada: documentos enviados"),
    "stage_delivered_help": (
        "The department's answer was sent to you; you can also download it below.",
        "La respuesta del departamento se le envió; también puede descargarla abajo.",
    ),
    "stage_withdrawn": ("Withdrawn", "Retirada"),
    "stage_withdrawn_help": ("The request was withdrawn.", "La solicitud fue retirada."),
    "stage_revoked": ("Certification withdrawn", "Certificación retirada"),
    "stage_revoked_help": (
        "The department withdrew the certification it had signed; see the notice below.",
        "El departamento retiró la certificación que había firmado; vea el aviso abajo.",
    ),
    # documents
    "doc_packet": ("Certification packet", "Paquete de certificación"),
    "doc_certification_cover": ("Cover letter", "Carta de presentación"),
    "doc_denial_letter": ("Denial letter", "Carta de denegación"),
    "doc_request_information": ("Request for information", "Solicitud de información"),
    "doc_delay_letter": ("Delay letter", "Carta de demora"),
    "doc_acknowledgment": ("Acknowledgment", "Acuse de recibo"),
    "doc_revocation_notice": ("Revocation notice", "Aviso de revocación"),
    # email
    "mail_subject": (
        "Certification request {case_number} received",
        "Solicitud de certificación {case_number} recibida",
    ),
    "mail_body": (
        "Thank you. The police department received your certification request.\n\n"
        "Case number: {case_number}\n"
        "Response due by: {due} (G.L. c. 258F: within 90 days)\n\n"
        "Follow the request, answer requests for information and download the department's "
        "answer at your private status link:\n{link}\n\n"
        "Or enter the case number, this email address and this access code at {lookup}:\n"
        "Access code: {code}\n\n"
        "Keep this link and code private: anyone who has them can see the status of the "
        "request. The department does not ask about immigration status.\n",
        "Gracias. El departamento de policía recibió su solicitud de certificación.\n\n"
        "Número de caso: {case_number}\n"
        "Respuesta a más tardar el: {due} (G.L. c. 258F: dentro de 90 días)\n\n"
        "Siga la solicitud, responda a pedidos de información y descargue la respuesta del "
        "departamento en su enlace privado:\n{link}\n\n"
        "O escriba el número de caso, este correo y este código de acceso en {lookup}:\n"
        "Código de acceso: {code}\n\n"
        "Guarde este enlace y este código en privado: quien los tenga puede ver el estado de "
        "la solicitud. El departamento no pregunta sobre el estatus migratorio.\n",
    ),
}

_U_ES = {
    "abduction": "Secuestro (rapto)",
    "abusive_sexual_contact": "Contacto sexual abusivo",
    "attempt": "Intento de cometer cualquiera de los delitos nombrados",
    "hostage": "Toma de rehenes",
    "blackmail": "Chantaje",
    "conspiracy": "Conspiración para cometer cualquiera de los delitos nombrados",
    "domestic_violence": "Violencia doméstica",
    "extortion": "Extorsión",
    "false_imprisonment": "Detención ilegal",
    "felonious_assault": "Agresión grave",
    "female_genital_mutilation": "Mutilación genital femenina",
    "fraud_in_foreign_labor_contracting": "Fraude en la contratación laboral extranjera",
    "incest": "Incesto",
    "involuntary_servitude": "Servidumbre involuntaria",
    "kidnapping": "Secuestro",
    "manslaughter": "Homicidio involuntario",
    "murder": "Asesinato",
    "obstruction_of_justice": "Obstrucción de la justicia",
    "peonage": "Peonaje",
    "perjury": "Perjurio",
    "prostitution": "Prostitución",
    "rape": "Violación",
    "sexual_assault": "Agresión sexual",
    "sexual_exploitation": "Explotación sexual",
    "slave_trade": "Trata de esclavos",
    "solicitation": "Incitación a cometer cualquiera de los delitos nombrados",
    "stalking": "Acoso (acecho)",
    "torture": "Tortura",
    "trafficking": "Trata de personas",
    "unlawful_criminal_restraint": "Restricción ilegal de la libertad",
    "witness_tampering": "Manipulación de testigos",
    OTHER_RELATED: (
        "Otra actividad delictiva relacionada (actividad similar que viola la ley penal)"
    ),
    "sex_trafficking_force_fraud_coercion": "Trata sexual mediante fuerza, fraude o coacción",
    "sex_trafficking_of_minor": "Trata sexual de una persona menor de 18 años",
    "labor_trafficking": (
        "Trata laboral (servidumbre involuntaria, peonaje, servidumbre por deudas o esclavitud)"
    ),
}
_ACTIVITY_EN = {**U_ACTIVITY_LABELS, OTHER_RELATED: OTHER_RELATED_LABEL, **T_TYPE_LABELS}
for _key, _label in _ACTIVITY_EN.items():
    TEXT[f"act_{_key}"] = (_label, _U_ES[_key])

#: Languages offered for the victim's preferred language (ISO 639 codes; native names).
VICTIM_LANGUAGES = {
    "en": "English",
    "es": "Español",
    "pt": "Português",
    "ht": "Kreyòl ayisyen",
    "fr": "Français",
    "vi": "Tiếng Việt",
    "zh": "中文",
    "ar": "العربية",
    "ru": "Русский",
    "km": "ភាសាខ្មែរ",
    "so": "Soomaali",
    "sw": "Kiswahili",
    "ne": "नेपाली",
    "hi": "हिन्दी",
    "ko": "한국어",
    "tl": "Tagalog",
    "uk": "Українська",
    "ps": "پښتو",
    "fa": "فارسی",
    "am": "አማርኛ",
}


def translator(lang: str) -> Translate:
    index = 1 if lang == "es" else 0

    def t(key: str, **values: object) -> str:
        pair = TEXT.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ``?lang=``, then the ``lang`` cookie, then the browser's preference."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return choice
    best, best_q = DEFAULT, -1.0
    for item in (accept_language or "").split(","):
        parts = item.strip().split(";")
        tag = parts[0].strip().lower().split("-")[0]
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag in LANGUAGES and q > best_q:
            best, best_q = tag, q
    return best


# Intake messages (casework.intake.validate, pydantic) in Spanish; the rest stay in English.
_ES_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^is required$"), "es obligatorio"),
    (re.compile(r"^is in the future$"), "está en el futuro"),
    (re.compile(r"^is in the past$"), "está en el pasado"),
    (re.compile(r"^must be a date written YYYY-MM-DD$"), "debe ser una fecha escrita AAAA-MM-DD"),
    (re.compile(r"^(.+) is not a real calendar date$"), r"\1 no es una fecha real"),
    (
        re.compile(r"^is before the victim's date of birth$"),
        "es anterior al nacimiento de la víctima",
    ),
    (re.compile(r"^is more than (\d+) years ago$"), r"es de hace más de \1 años"),
    (re.compile(r"^lists an activity twice$"), "incluye una actividad dos veces"),
    (re.compile(r"^not a valid email address.*$"), "no es una dirección de correo válida"),
    (
        re.compile(r"^is required when other_related is chosen.*$"),
        "es obligatorio si elige la otra actividad relacionada: descríbala",
    ),
    (
        re.compile(r"^an A-Number is 7 to 9 digits.*$"),
        "un número A tiene de 7 a 9 dígitos, con una A inicial opcional",
    ),
    (
        re.compile(r"^'(.+)' is not a U qualifying crime key.*$"),
        r"'\1' no califica para una visa U",
    ),
    (
        re.compile(r"^'(.+)' is not a T trafficking type key.*$"),
        r"'\1' no es un tipo de trata (visa T)",
    ),
    (re.compile(r"^(.+) is not a PDF file \(no %PDF- header\)$"), r"\1 no es un archivo PDF"),
    (
        re.compile(r"^(.+) is encrypted or password-protected.*$"),
        r"\1 está cifrado o protegido con contraseña; envíe una copia sin protección",
    ),
    (
        re.compile(r"^(.+) contains (.+), which is not accepted$"),
        r"\1 contiene \2, que no se acepta",
    ),
    (re.compile(r"^(.+) cannot be read as a PDF.*$"), r"\1 no se puede leer como PDF"),
    (re.compile(r"^(.+) has no pages$"), r"\1 no tiene páginas"),
    (
        re.compile(r"^(.+) is ([\d.]+) MB; the limit is (\d+) MB$"),
        r"\1 pesa \2 MB; el límite es \3 MB",
    ),
    (re.compile(r"^(.+) was uploaded twice$"), r"\1 se subió dos veces"),
    (
        re.compile(r"^String should have at most (\d+) characters?$"),
        r"admite como máximo \1 caracteres",
    ),
    (re.compile(r"^String should match pattern.*$"), "no tiene el formato esperado"),
    (re.compile(r"^Input should be .*$"), "no es un valor admitido"),
]


def localize_message(message: str, lang: str) -> str:
    if lang != "es":
        return message
    for pattern, replacement in _ES_MESSAGES:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message
