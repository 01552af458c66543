"""The closed lists of the documents. JSON carries the code; documents show the label.

A code means the same thing wherever it appears, so one code has one label across all lists
(checked by the tests): templates print any code with ``{{ value|label }}``.
"""

from .fields import Choices

RELATION_TO_CHILD = Choices("relation_to_child", {
    "mother": "äiti",
    "father": "isä",
    "other_guardian": "muu huoltaja",
    "foster_carer": "sijaishuoltaja",
    "co_guardian": "oheishuoltaja",
})

ATTENDANCE = Choices("attendance", {
    "yes": "kyllä",
    "partly": "osittain",
    "no": "ei",
})

SERVICE_CONTEXT = Choices("service_context", {
    "child_welfare": "lastensuojelu",
    "family_social_work": "perhesosiaalityö",
    "service_needs_assessment": "palvelutarpeen arviointi",
    "family_counselling": "perheneuvola",
})

SERVICE_STATUS = Choices("service_status", {
    "in_use": "käytössä",
    "offered": "tarjottu",
    "ended": "päättynyt",
    "declined": "ei otettu vastaan",
})

VIEWS_SOURCE = Choices("views_source", {
    "child_directly": "lapselta itseltään",
    "via_assistant": "avustajan välityksellä",
    "via_worker": "työntekijän välityksellä",
    "not_obtainable": "näkemystä ei ole voitu selvittää",
})

STANDARD_QUESTION = Choices("standard_question", {
    "worker_support": "Työntekijöiden apu ja tuki",
    "monitoring": "Seuranta",
    "if_problems": "Jos tulee ongelmia",
    "distribution": "Suunnitelman jakelu",
    "follow_up_meeting": "Seurantakokous",
})

# The family plan (domain spec §4.4).
CONTRIBUTION_CHANNEL = Choices("contribution_channel", {
    "letter": "kirjeellä",
    "phone_call": "puhelimitse",
    "video_call": "videoyhteydellä",
    "through_someone": "toisen osallistujan välityksellä",
})

SUPPORT_STATUS = Choices("support_status", {
    "requested": "pyydetty",
    "promised": "luvattu",
    "being_considered": "harkinnassa",
})

DISTRIBUTION_CHANNEL = Choices("distribution_channel", {
    "in_person": "annetaan kokouksessa",
    "paper": "paperisena postitse",
    "secure_email": "suojattuna sähköpostina",
    "suomi_fi": "Suomi.fi-viestinä",
})

APPROVAL_DECISION = Choices("approval_decision", {
    "approved": "hyväksytty",
    "approved_with_conditions": "hyväksytty tarkennuksin",
    "not_approved": "ei hyväksytty",
})

FOLLOW_UP_OUTCOME = Choices("follow_up_outcome", {
    "continue_plan": "jatketaan suunnitelman mukaan",
    "new_follow_up": "pidetään uusi seurantakokous",
    "process_ends": "läheisneuvonpito päättyy",
})

# The languages a document can be written in (a template per type and language); the family's
# own languages are ISO 639 codes (``language_code``), interpreted when needed.
DOCUMENT_LANGUAGE = Choices("document_language", {
    "fi": "suomi",
    "sv": "ruotsi",
    "en": "englanti",
})

# The network map (domain spec §4.7). "mother" and "father" are the codes of RELATION_TO_CHILD.
NETWORK_RELATION = Choices("network_relation", {
    "mother": "äiti",
    "father": "isä",
    "step_parent": "äiti- tai isäpuoli",
    "sibling": "sisarus",
    "grandparent": "isovanhempi",
    "aunt_uncle": "täti, setä tai eno",
    "cousin": "serkku",
    "other_relative": "muu sukulainen",
    "godparent": "kummi",
    "friend": "ystävä",
    "neighbour": "naapuri",
    "teacher": "opettaja",
    "worker": "työntekijä",
    "other": "muu",
})

FAMILY_SIDE = Choices("family_side", {
    "maternal": "äidin puoli",
    "paternal": "isän puoli",
    "other": "muu",
})

NETWORK_SECTOR = Choices("network_sector", {
    "family": "perhe",
    "relatives": "suku",
    "friends": "ystävät",
    "school": "koulu tai päiväkoti",
    "hobbies": "harrastukset",
    "authorities": "työntekijät ja viranomaiset",
    "others": "muut",
})

INVITE_DECISION = Choices("invite_decision", {
    "invited": "kutsutaan",
    "not_invited": "ei kutsuta",
    "considering": "harkitaan",
})

PARTICIPATION = Choices("participation", {
    "coming": "tulee",
    "cannot_come": "ei pääse",
    "in_writing": "antaa näkemyksen kirjallisesti",
    "no_answer": "ei vastannut",
})

MEETING_ROLE = Choices("meeting_role", {
    "assistant": "avustaja",
    "scribe": "kirjuri",
    "chair": "puheenvuorojen jakaja",
})

# The invitation letters (domain spec §4.6).
MEETING_TYPE = Choices("meeting_type", {
    "conference": "läheisneuvonpidon kokous",
    "follow_up": "seurantakokous",
})
