"""The expected wording of the built-in Word templates, in Finnish, Swedish and English: what
tests/test_languages.py looks for in each rendered document (the language's own headings and page
chrome, and none of the Finnish ones). The templates themselves are the source; a reviewed
wording change in a template is reflected here.

* No Jinja here. Where a text surrounds a value, the value is a ``{name}`` placeholder and the
  builder puts the Jinja tag in (``"Huoltaja ({relation})"``), so the tags, conditions and loops
  are identical in every language by construction. Values keep the service's filters
  (``|date``, ``|label``, ``|yes_no`` …): the sv and en templates print no Finnish of their own.
* Swedish is Finland-Swedish as the City of Helsinki's Swedish services write it
  (familjerådslag, sammankallare, ansvarig socialarbetare, närstående, överenskommelse);
  English follows Helsinki's English service pages first (family group conference, convener,
  loved ones, agreement) and British usage after that (bottom lines). Spec §2.
* The confidentiality marks are those of spec §7.3-1.

Every language has exactly the same keys (checked when the module is imported).
"""

from __future__ import annotations

LANGUAGES = ("fi", "sv", "en")

# Proofing language of the document defaults and the core property ``language``.
LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}

TEXTS: dict[str, dict[str, str]] = {}

# --- Finnish: the source of truth (byte-identical output to the templates conveners have) ---

TEXTS["fi"] = {
    # header, footer, document properties, helper style names
    "city": "Helsingin kaupunki",
    "confidential": "SALASSA PIDETTÄVÄ – JulkL 24 § 1 mom 25 k",
    "process": "Läheisneuvonpito",
    "header.network_copy": "Läheisille annettava kappale",
    "footer.case_ref": "Asiaviite {case_ref}",
    "footer.date": "Päiväys {date}",
    "footer.version": "Versio {version}",
    "footer.page": "Sivu ",
    "footer.page_of": " / ",
    "props.keywords": "läheisneuvonpito",
    "style.table_text": "Taulukon teksti",
    "style.table_head": "Taulukon otsikko",
    "style.small": "Pieni teksti",

    # shared blocks
    "worker.name": "Nimi",
    "worker.title": "Ammattinimike",
    "worker.unit": "Yksikkö",
    "worker.organisation": "Organisaatio",
    "worker.phone": "Puhelin",
    "worker.email": "Sähköposti",
    "children": "Lapset",
    "children.brief": ", {age} (syntynyt {birth_date})",
    "author.title": ", {title}",
    "author.contact": "Yhteystiedot",
    "doc.date": "Päiväys",
    "doc.version": "Versio",
    "doc.language": "Asiakirjan kieli",
    "copy.network": "LÄHEISILLE ANNETTAVA KAPPALE",
    "copy.network.note": " – sisältää vain ne tiedot, jotka perhe on hyväksynyt jaettavaksi.",
    "copy.family": "Perheen ja työntekijöiden kappale",
    "copy.family.note": " – läheisille annetaan erillinen kappale.",
    "copy.family.not_shared": " – ei anneta läheisille.",
    "sharing.heading": "Yhteenvedon jakaminen",
    "sharing.reviewed": "Yhteenveto on käyty läpi perheen kanssa",
    "sharing.approved": "Perhe on hyväksynyt yhteenvedon jaettavaksi läheisille",
    "sharing.not_shared": "Ei jaeta läheisille",
    "sharing.not_shared.note": "Perhe ei halua, että näitä tietoja kerrotaan läheisille. Ne eivät tulostu "
                               "läheisille annettavaan kappaleeseen.",
    "bottom.must_include": "Suunnitelmaan on sisällyttävä",
    "bottom.not_acceptable": "Ei hyväksyttävää",

    # toimeksiantosopimus
    "mandate.title": "Toimeksiantosopimus",
    "mandate.header": "TOIMEKSIANTOSOPIMUS – läheisneuvonpito",
    "mandate.file_copy": "ARKISTOKAPPALE",
    "mandate.file_copy.note": " – sisältää henkilötunnuksia; ei anneta läheisille.",
    "mandate.acute": "AKUUTTINEUVONPITO",
    "mandate.acute.note": " – läheisneuvonpito järjestetään kiireellisellä aikataululla.",
    "mandate.no_consent": "EI SUOSTUMUSTA",
    "mandate.no_consent.note": " – läheisneuvonpitoa ei voida järjestää tämän sopimuksen perusteella.",
    "mandate.consent.none.clause": "Läheisneuvonpitoa ei voida järjestää tämän sopimuksen perusteella, koska huoltajat "
                                   "eivät ole antaneet suostumusta yhteenvedon antamiseen.",
    "mandate.meta.place": "Paikka",
    "mandate.meta.date": "Päiväys",
    "mandate.meta.version": "Versio",
    "mandate.meta.case_ref": "Asiaviite",
    "mandate.meta.language": "Asiakirjan kieli",
    "mandate.intro": "Tällä sopimuksella lapsen huoltajat, lapsi ja vastuusosiaalityöntekijä sopivat "
                     "läheisneuvonpidon järjestämisestä: mistä lasta koskevista asioista läheiset laativat "
                     "suunnitelman, keitä työntekijöitä kokoukseen kutsutaan ja mitä tietoja saa antaa eteenpäin.",
    "mandate.children": "Lapset",
    "mandate.col.name": "Nimi",
    "mandate.col.calling_name": "Kutsumanimi",
    "mandate.col.birth_date": "Syntymäaika",
    "mandate.col.hetu": "Henkilötunnus",
    "mandate.col.school": "Koulu tai päiväkoti",
    "mandate.birth_date_age": "{birth_date} ({age})",
    "mandate.guardians": "Huoltajat ja vanhemmat",
    "mandate.col.relation": "Suhde lapseen",
    "mandate.col.is_guardian": "Huoltaja",
    "mandate.col.language": "Asiointikieli",
    "mandate.col.interpreter": "Tulkki tarvitaan",
    "mandate.contacts": "Yhteystiedot",
    "mandate.col.phone": "Puhelin",
    "mandate.col.email": "Sähköposti",
    "mandate.col.address": "Postiosoite",
    "mandate.social_worker": "Vastuusosiaalityöntekijä",
    "mandate.coordinator": "Koollekutsuja",
    "mandate.impartiality": "Puolueettomuus",
    "mandate.impartiality.value": "Vahvistettu, ettei koollekutsuja työskentele perheen asiassa: {confirmed}",
    "mandate.coordinator.later": "Koollekutsuja nimetään myöhemmin. Koollekutsuja on puolueeton: hän ei "
                                 "työskentele perheen asiassa.",
    "mandate.reason": "Lähtötilanne: miksi läheisneuvonpito",
    "mandate.themes": "Käsiteltävät asiat",
    "mandate.themes.intro": "Sovimme, että läheisneuvonpidossa laaditaan suunnitelma seuraavista lasta "
                            "koskevista asioista:",
    "mandate.workers": "Osallistuvat työntekijät",
    "mandate.workers.intro": "Vastuusosiaalityöntekijän lisäksi läheisneuvonpitoon osallistuvat seuraavat "
                             "työntekijät, jotka kertovat kokouksen tiedonantovaiheessa:",
    "mandate.workers.col.name": "Nimi ja tehtävä",
    "mandate.workers.col.organisation": "Organisaatio",
    "mandate.workers.col.contact": "Yhteystiedot",
    "mandate.workers.col.contribution": "Mitä tietoa tuo kokoukseen",
    "mandate.workers.none": "Työntekijöistä läheisneuvonpitoon osallistuu vain vastuusosiaalityöntekijä.",
    "mandate.child": "Lapsen osallistuminen",
    "mandate.child.attends": "Osallistuuko lapsi kokoukseen",
    "mandate.child.how": "Miten lapsi osallistuu",
    "mandate.child.assistant": "Lapsi tarvitsee avustajan",
    "mandate.access": "Kieli ja saavutettavuus",
    "mandate.access.language": "Kokouskieli",
    "mandate.access.interpreting": "Tulkkaus",
    "mandate.access.needs": "Erityistarpeet",
    "mandate.safety": "Turvallisuus",
    "mandate.safety.note": "Henkilöt, joita ei kutsuta, ja turvallisuusjärjestelyt. Näitä tietoja ei anneta "
                           "läheisille.",
    "mandate.schedule": "Aikataulu",
    "mandate.schedule.target": "Tavoiteaika kokoukselle: ",
    "mandate.consent": "Suostumus tietojen luovuttamiseen",
    "mandate.consent.both": "Annamme suostumuksemme siihen, että sosiaalityöntekijän laatima yhteenveto annetaan "
                            "koollekutsujalle ja, siltä osin kuin olemme sen hyväksyneet, kokoukseen kutsutuille "
                            "läheisille.",
    "mandate.consent.coordinator": "Annamme suostumuksemme siihen, että sosiaalityöntekijän laatima yhteenveto "
                                   "annetaan koollekutsujalle. Emme anna suostumusta yhteenvedon antamiseen "
                                   "kokoukseen kutsutuille läheisille.",
    "mandate.consent.network": "Annamme suostumuksemme siihen, että sosiaalityöntekijän laatima yhteenveto "
                               "annetaan, siltä osin kuin olemme sen hyväksyneet, kokoukseen kutsutuille "
                               "läheisille. Emme anna suostumusta yhteenvedon antamiseen koollekutsujalle.",
    "mandate.consent.none": "Emme anna suostumusta yhteenvedon antamiseen koollekutsujalle emmekä kokoukseen "
                            "kutsutuille läheisille.",
    "mandate.consent.scope": "Suostumuksen rajaukset: ",
    "mandate.consent.child": "Lapsen oma suostumus",
    "mandate.consent.child.value": " – {name}: {consent}",
    "mandate.consent.withdraw": "Suostumuksen voi perua.",
    "mandate.consent.withdraw.how": " Perumisesta ilmoitetaan vastuusosiaalityöntekijälle.",
    "mandate.clauses": "Vapaaehtoisuus ja luottamuksellisuus",
    "mandate.clauses.voluntary": "Läheisneuvonpito on vapaaehtoinen. Perhe voi perua osallistumisensa missä "
                                 "vaiheessa tahansa, eikä se vaikuta perheen oikeuteen saada palveluja.",
    "mandate.clauses.confidential": "Läheisneuvonpidossa käsiteltävät asiat ovat luottamuksellisia. Työntekijöitä "
                                    "sitoo vaitiolovelvollisuus, ja kokoukseen osallistuvia läheisiä pyydetään "
                                    "olemaan kertomatta kuulemiaan asioita ulkopuolisille.",
    "mandate.clauses.future": "Läheisneuvonpidossa katsotaan tulevaisuuteen: tavoitteena on yhdessä sovittu "
                              "suunnitelma lapsen hyväksi. Ketään ei syyllistetä.",
    "mandate.signatures": "Allekirjoitukset",
    "mandate.signatures.intro": "Allekirjoituksellamme vahvistamme, että olemme sopineet läheisneuvonpidosta "
                                "edellä kuvatulla tavalla.",
    "sign.place_date": "Paikka ja aika",
    "sign.guardian": "Huoltaja ({relation})",
    "sign.child": "Lapsi ({age})",
    "sign.social_worker": "Vastuusosiaalityöntekijä, {unit}",
    "sign.coordinator": "Koollekutsuja, {unit}",

    # yhteenveto
    "summary.title": "Yhteenveto",
    "summary.header": "YHTEENVETO – läheisneuvonpito",
    "summary.intro": "Tämä yhteenveto on laadittu läheisneuvonpitoa varten. Se sisältää tietoja, jotka läheisten "
                     "on hyvä tietää suunnitelman tekemiseksi.",
    "summary.basic": "Perustiedot",
    "summary.author": "Yhteenvedon laatija",
    "summary.background": "Työskentelyn tausta",
    "summary.background.service": "Palvelu",
    "summary.background.client_since": "Perhe on ollut asiakkaana",
    "summary.background.worker_since": "Nykyinen työntekijä on työskennellyt perheen kanssa",
    "summary.since": "{date} alkaen",
    "summary.situation": "Tilanne nyt",
    "summary.services": "Tehty työ ja palvelut",
    "summary.services.col.service": "Palvelu tai tukitoimi",
    "summary.services.col.provider": "Palvelun tuottaja",
    "summary.services.col.period": "Ajanjakso",
    "summary.services.col.status": "Tila",
    "summary.services.col.note": "Lisätieto",
    "summary.services.none": "Palveluja ei ole ollut käytössä.",
    "summary.other_support": "Muu tuki",
    "summary.strengths": "Vahvuudet ja voimavarat – mikä toimii",
    "summary.concerns": "Huolet",
    "summary.child_views": "Lapsen näkemys ja toiveet",
    "summary.child_views.source": "Miten näkemys saatiin: ",
    "summary.guardian_views": "Vanhempien ja huoltajien näkemykset",
    "summary.lead_in": "Miksi suunnitelmaa tarvitaan",

    # kysymykset
    "questions.title": "Kysymykset",
    "questions.header": "KYSYMYKSET – läheisneuvonpito",
    "questions.author": "Kysymysten laatija",
    "questions.intro": "Läheisneuvonpidon kokouksessa läheiset laativat omalla ajallaan suunnitelman, joka vastaa "
                       "näihin kysymyksiin. Kysymykset on laadittu yhdessä perheen kanssa.",
    "questions.case": "Kysymykset läheisille",
    "questions.standard": "Yleiset kysymykset",
    "questions.standard.intro": "Jokaisessa suunnitelmassa vastataan myös seuraaviin kysymyksiin:",
    "questions.bottom_lines": "Reunaehdot",
    "questions.bottom_lines.intro": "Reunaehdot ovat viranomaisten asettamia ehtoja, jotka suunnitelman on "
                                    "täytettävä, jotta se voidaan hyväksyä.",
    "questions.if_no_plan": "Jos suunnitelmaa ei synny tai sitä ei hyväksytä",

    # seurantakokouksen yhteenveto
    "follow_up.title": "Seurantakokouksen yhteenveto",
    "follow_up.header": "SEURANTAKOKOUKSEN YHTEENVETO – läheisneuvonpito",
    "follow_up.intro": "Tämä yhteenveto on laadittu seurantakokousta varten. Siinä kerrotaan, miten "
                       "läheisneuvonpidossa laadittu suunnitelma on toteutunut ja mitä siihen on tarpeen tarkentaa.",
    "follow_up.basic": "Perustiedot",
    "follow_up.author": "Yhteenvedon laatija",
    "follow_up.plan": "Seurattava suunnitelma",
    "follow_up.plan.value": "Versio {version}, päivätty {date}",
    "follow_up.worked_well": "Mikä on toiminut ja voi jatkua",
    "follow_up.worked_well.none": "Tähän kohtaan ei ole kirjattu mitään.",
    "follow_up.to_refine": "Tarkennettavaa ja miten",
    "follow_up.to_refine.col.item": "Suunnitelman kohta",
    "follow_up.to_refine.col.what": "Mitä tarkennetaan",
    "follow_up.to_refine.col.how": "Ehdotus: miten",
    "follow_up.to_refine.none": "Tähän kohtaan ei ole kirjattu mitään.",
    "follow_up.new_concerns": "Uudet huolet tai muutokset",
    "follow_up.cooperation": "Yhteistyön sujuminen",
    "follow_up.questions": "Kysymykset läheisille",
    "follow_up.questions.intro": "Seurantakokouksessa pyydetään läheisten arviota seuraavista asioista:",
    "follow_up.bottom_lines": "Päivitetyt reunaehdot",
    "follow_up.bottom_lines.intro": "Viranomaisten asettamat reunaehdot, jotka päivitetyn suunnitelman on "
                                    "täytettävä:",
}

# --- Swedish (Finland-Swedish, Helsingfors stad) ----------------------------------------------

TEXTS["sv"] = {
    "city": "Helsingfors stad",
    "confidential": "SEKRETESSBELAGD – OffL 24 § 1 mom 25 p.",
    "process": "Familjerådslag",
    "header.network_copy": "Exemplar för de närstående",
    "footer.case_ref": "Referens {case_ref}",
    "footer.date": "Datum {date}",
    "footer.version": "Version {version}",
    "footer.page": "Sida ",
    "footer.page_of": " / ",
    "props.keywords": "familjerådslag",
    "style.table_text": "Tabelltext",
    "style.table_head": "Tabellrubrik",
    "style.small": "Liten text",

    "worker.name": "Namn",
    "worker.title": "Yrkesbeteckning",
    "worker.unit": "Enhet",
    "worker.organisation": "Organisation",
    "worker.phone": "Telefon",
    "worker.email": "E-post",
    "children": "Barn",
    "children.brief": ", {age} (född {birth_date})",
    "author.title": ", {title}",
    "author.contact": "Kontaktuppgifter",
    "doc.date": "Datum",
    "doc.version": "Version",
    "doc.language": "Dokumentets språk",
    "copy.network": "EXEMPLAR FÖR DE NÄRSTÅENDE",
    "copy.network.note": " – innehåller endast de uppgifter som familjen har godkänt att delas.",
    "copy.family": "Familjens och de anställdas exemplar",
    "copy.family.note": " – de närstående får ett separat exemplar.",
    "copy.family.not_shared": " – ges inte till de närstående.",
    "sharing.heading": "Delning av sammanfattningen",
    "sharing.reviewed": "Sammanfattningen har gåtts igenom med familjen",
    "sharing.approved": "Familjen har godkänt att sammanfattningen delas med de närstående",
    "sharing.not_shared": "Delas inte med de närstående",
    "sharing.not_shared.note": "Familjen vill inte att dessa uppgifter berättas för de närstående. De skrivs "
                               "inte ut i exemplaret för de närstående.",
    "bottom.must_include": "Planen ska innehålla",
    "bottom.not_acceptable": "Inte godtagbart",

    "mandate.title": "Överenskommelse",
    "mandate.header": "ÖVERENSKOMMELSE – familjerådslag",
    "mandate.file_copy": "ARKIVEXEMPLAR",
    "mandate.file_copy.note": " – innehåller personbeteckningar; ges inte till de närstående.",
    "mandate.acute": "AKUT FAMILJERÅDSLAG",
    "mandate.acute.note": " – familjerådslaget ordnas enligt en brådskande tidtabell.",
    "mandate.no_consent": "INGET SAMTYCKE",
    "mandate.no_consent.note": " – familjerådslaget kan inte ordnas på grundval av denna överenskommelse.",
    "mandate.consent.none.clause": "Familjerådslaget kan inte ordnas på grundval av denna överenskommelse, eftersom "
                                   "vårdnadshavarna inte har samtyckt till att sammanfattningen lämnas ut.",
    "mandate.meta.place": "Ort",
    "mandate.meta.date": "Datum",
    "mandate.meta.version": "Version",
    "mandate.meta.case_ref": "Referens",
    "mandate.meta.language": "Dokumentets språk",
    "mandate.intro": "Genom denna överenskommelse kommer barnets vårdnadshavare, barnet och den ansvariga "
                     "socialarbetaren överens om hur familjerådslaget ska ordnas: för vilka frågor som gäller "
                     "barnet de närstående ska göra upp en plan, vilka anställda som bjuds in till mötet och "
                     "vilka uppgifter som får lämnas vidare.",
    "mandate.children": "Barn",
    "mandate.col.name": "Namn",
    "mandate.col.calling_name": "Tilltalsnamn",
    "mandate.col.birth_date": "Födelsedatum",
    "mandate.col.hetu": "Personbeteckning",
    "mandate.col.school": "Skola eller daghem",
    "mandate.birth_date_age": "{birth_date} ({age})",
    "mandate.guardians": "Vårdnadshavare och föräldrar",
    "mandate.col.relation": "Relation till barnet",
    "mandate.col.is_guardian": "Vårdnadshavare",
    "mandate.col.language": "Kontaktspråk",
    "mandate.col.interpreter": "Tolk behövs",
    "mandate.contacts": "Kontaktuppgifter",
    "mandate.col.phone": "Telefon",
    "mandate.col.email": "E-post",
    "mandate.col.address": "Postadress",
    "mandate.social_worker": "Ansvarig socialarbetare",
    "mandate.coordinator": "Sammankallare",
    "mandate.impartiality": "Opartiskhet",
    "mandate.impartiality.value": "Bekräftat att sammankallaren inte arbetar med familjens ärende: {confirmed}",
    "mandate.coordinator.later": "Sammankallaren utses senare. Sammankallaren är opartisk och arbetar inte med "
                                 "familjens ärende.",
    "mandate.reason": "Utgångsläge: varför familjerådslag",
    "mandate.themes": "Frågor som behandlas",
    "mandate.themes.intro": "Vi kommer överens om att det i familjerådslaget görs upp en plan för följande "
                            "frågor som gäller barnet:",
    "mandate.workers": "Anställda som deltar",
    "mandate.workers.intro": "Utöver den ansvariga socialarbetaren deltar följande anställda i familjerådslaget. "
                             "De ger information under mötets informationsdel:",
    "mandate.workers.col.name": "Namn och uppgift",
    "mandate.workers.col.organisation": "Organisation",
    "mandate.workers.col.contact": "Kontaktuppgifter",
    "mandate.workers.col.contribution": "Information till mötet",
    "mandate.workers.none": "Av de anställda deltar endast den ansvariga socialarbetaren i familjerådslaget.",
    "mandate.child": "Barnets deltagande",
    "mandate.child.attends": "Deltar barnet i mötet",
    "mandate.child.how": "Hur barnet deltar",
    "mandate.child.assistant": "Barnet behöver en assistent",
    "mandate.access": "Språk och tillgänglighet",
    "mandate.access.language": "Mötesspråk",
    "mandate.access.interpreting": "Tolkning",
    "mandate.access.needs": "Särskilda behov",
    "mandate.safety": "Säkerhet",
    "mandate.safety.note": "Personer som inte bjuds in samt säkerhetsarrangemang. Dessa uppgifter ges inte till "
                           "de närstående.",
    "mandate.schedule": "Tidtabell",
    "mandate.schedule.target": "Planerad tid för mötet: ",
    "mandate.consent": "Samtycke till utlämnande av uppgifter",
    "mandate.consent.both": "Vi samtycker till att den sammanfattning som socialarbetaren har skrivit ges till "
                            "sammankallaren och, till de delar vi har godkänt den, till de närstående som har "
                            "bjudits in till mötet.",
    "mandate.consent.coordinator": "Vi samtycker till att den sammanfattning som socialarbetaren har skrivit ges "
                                   "till sammankallaren. Vi samtycker inte till att sammanfattningen ges till de "
                                   "närstående som har bjudits in till mötet.",
    "mandate.consent.network": "Vi samtycker till att den sammanfattning som socialarbetaren har skrivit, till de "
                               "delar vi har godkänt den, ges till de närstående som har bjudits in till mötet. "
                               "Vi samtycker inte till att sammanfattningen ges till sammankallaren.",
    "mandate.consent.none": "Vi samtycker inte till att sammanfattningen ges till sammankallaren eller till de "
                            "närstående som har bjudits in till mötet.",
    "mandate.consent.scope": "Begränsningar av samtycket: ",
    "mandate.consent.child": "Barnets eget samtycke",
    "mandate.consent.child.value": " – {name}: {consent}",
    "mandate.consent.withdraw": "Samtycket kan återkallas.",
    "mandate.consent.withdraw.how": " Återkallelsen meddelas den ansvariga socialarbetaren.",
    "mandate.clauses": "Frivillighet och konfidentialitet",
    "mandate.clauses.voluntary": "Familjerådslaget är frivilligt. Familjen kan när som helst avbryta sitt "
                                 "deltagande, och det påverkar inte familjens rätt att få tjänster.",
    "mandate.clauses.confidential": "Det som behandlas i familjerådslaget är konfidentiellt. De anställda har "
                                    "tystnadsplikt, och de närstående som deltar i mötet ombeds att inte berätta "
                                    "för utomstående vad de har hört.",
    "mandate.clauses.future": "Familjerådslaget blickar framåt: målet är en gemensamt överenskommen plan till "
                              "barnets bästa. Ingen skuldbeläggs.",
    "mandate.signatures": "Underskrifter",
    "mandate.signatures.intro": "Med våra underskrifter bekräftar vi att vi har kommit överens om "
                                "familjerådslaget på det sätt som beskrivs ovan.",
    "sign.place_date": "Ort och datum",
    "sign.guardian": "Vårdnadshavare ({relation})",
    "sign.child": "Barn ({age})",
    "sign.social_worker": "Ansvarig socialarbetare, {unit}",
    "sign.coordinator": "Sammankallare, {unit}",

    "summary.title": "Sammanfattning",
    "summary.header": "SAMMANFATTNING – familjerådslag",
    "summary.intro": "Denna sammanfattning har gjorts upp för familjerådslaget. Den innehåller uppgifter som det "
                     "är bra för de närstående att känna till när de gör upp planen.",
    "summary.basic": "Grunduppgifter",
    "summary.author": "Upprättad av",
    "summary.background": "Bakgrund till arbetet med familjen",
    "summary.background.service": "Tjänst",
    "summary.background.client_since": "Familjen har varit klient",
    "summary.background.worker_since": "Nuvarande arbetstagare har arbetat med familjen",
    "summary.since": "sedan {date}",
    "summary.situation": "Situationen nu",
    "summary.services": "Utfört arbete och tjänster",
    "summary.services.col.service": "Tjänst eller stödåtgärd",
    "summary.services.col.provider": "Tjänsteproducent",
    "summary.services.col.period": "Period",
    "summary.services.col.status": "Status",
    "summary.services.col.note": "Tilläggsuppgifter",
    "summary.services.none": "Inga tjänster har använts.",
    "summary.other_support": "Annat stöd",
    "summary.strengths": "Styrkor och resurser – vad som fungerar",
    "summary.concerns": "Bekymmer",
    "summary.child_views": "Barnets synpunkter och önskemål",
    "summary.child_views.source": "Hur barnets synpunkter har inhämtats: ",
    "summary.guardian_views": "Föräldrarnas och vårdnadshavarnas synpunkter",
    "summary.lead_in": "Varför en plan behövs",

    "questions.title": "Frågor",
    "questions.header": "FRÅGOR – familjerådslag",
    "questions.author": "Upprättad av",
    "questions.intro": "Vid familjerådslagsmötet gör de närstående under sin privata överläggning upp en plan "
                       "som svarar på dessa frågor. Frågorna har utarbetats tillsammans med familjen.",
    "questions.case": "Frågor till de närstående",
    "questions.standard": "Allmänna frågor",
    "questions.standard.intro": "Varje plan ska också svara på följande frågor:",
    "questions.bottom_lines": "Ramvillkor",
    "questions.bottom_lines.intro": "Ramvillkoren är krav som myndigheterna ställer och som planen måste "
                                    "uppfylla för att kunna godkännas.",
    "questions.if_no_plan": "Om ingen plan görs upp eller om planen inte godkänns",

    "follow_up.title": "Sammanfattning inför uppföljningsmötet",
    "follow_up.header": "SAMMANFATTNING INFÖR UPPFÖLJNINGSMÖTET – familjerådslag",
    "follow_up.intro": "Denna sammanfattning har gjorts upp inför uppföljningsmötet. Den beskriver hur planen "
                       "från familjerådslaget har genomförts och vilka delar av den som behöver preciseras.",
    "follow_up.basic": "Grunduppgifter",
    "follow_up.author": "Upprättad av",
    "follow_up.plan": "Plan som följs upp",
    "follow_up.plan.value": "Version {version}, daterad {date}",
    "follow_up.worked_well": "Vad som har fungerat och kan fortsätta",
    "follow_up.worked_well.none": "Inget har antecknats under denna rubrik.",
    "follow_up.to_refine": "Vad som behöver preciseras och hur",
    "follow_up.to_refine.col.item": "Punkt i planen",
    "follow_up.to_refine.col.what": "Vad som preciseras",
    "follow_up.to_refine.col.how": "Förslag: hur",
    "follow_up.to_refine.none": "Inget har antecknats under denna rubrik.",
    "follow_up.new_concerns": "Nya bekymmer eller förändringar",
    "follow_up.cooperation": "Hur samarbetet har fungerat",
    "follow_up.questions": "Frågor till de närstående",
    "follow_up.questions.intro": "Vid uppföljningsmötet ombeds de närstående bedöma följande:",
    "follow_up.bottom_lines": "Uppdaterade ramvillkor",
    "follow_up.bottom_lines.intro": "Ramvillkor som myndigheterna har ställt och som den uppdaterade planen "
                                    "måste uppfylla:",
}

# --- English (City of Helsinki English, British spelling) --------------------------------------

TEXTS["en"] = {
    "city": "City of Helsinki",
    "confidential": "CONFIDENTIAL – Act on the Openness of Government Activities 24(1)(25)",
    "process": "Family group conference",
    "header.network_copy": "Copy for loved ones",
    "footer.case_ref": "Reference {case_ref}",
    "footer.date": "Date {date}",
    "footer.version": "Version {version}",
    "footer.page": "Page ",
    "footer.page_of": " of ",
    "props.keywords": "family group conference",
    "style.table_text": "Table text",
    "style.table_head": "Table heading",
    "style.small": "Small text",

    "worker.name": "Name",
    "worker.title": "Job title",
    "worker.unit": "Unit",
    "worker.organisation": "Organisation",
    "worker.phone": "Telephone",
    "worker.email": "Email",
    "children": "Children",
    "children.brief": ", aged {age} (born {birth_date})",
    "author.title": ", {title}",
    "author.contact": "Contact details",
    "doc.date": "Date",
    "doc.version": "Version",
    "doc.language": "Document language",
    "copy.network": "COPY FOR LOVED ONES",
    "copy.network.note": " – contains only the information that the family has agreed to share.",
    "copy.family": "Copy for the family and professionals",
    "copy.family.note": " – loved ones receive a separate copy.",
    "copy.family.not_shared": " – not to be given to loved ones.",
    "sharing.heading": "Sharing the summary",
    "sharing.reviewed": "Summary reviewed with the family",
    "sharing.approved": "The family has agreed that the summary may be shared with loved ones",
    "sharing.not_shared": "Not to be shared with loved ones",
    "sharing.not_shared.note": "The family does not want this information shared with loved ones. It does not "
                               "appear in the copy for loved ones.",
    "bottom.must_include": "The plan must include",
    "bottom.not_acceptable": "Not acceptable",

    "mandate.title": "Agreement",
    "mandate.header": "AGREEMENT – family group conference",
    "mandate.file_copy": "FILE COPY",
    "mandate.file_copy.note": " – contains personal identity codes; not to be given to loved ones.",
    "mandate.acute": "ACUTE FAMILY GROUP CONFERENCE",
    "mandate.acute.note": " – the family group conference is arranged on an urgent timetable.",
    "mandate.no_consent": "NO CONSENT",
    "mandate.no_consent.note": " – the family group conference cannot go ahead on the basis of this agreement.",
    "mandate.consent.none.clause": "The family group conference cannot go ahead on the basis of this agreement, because "
                                   "the guardians have not consented to the summary being shared.",
    "mandate.meta.place": "Place",
    "mandate.meta.date": "Date",
    "mandate.meta.version": "Version",
    "mandate.meta.case_ref": "Reference",
    "mandate.meta.language": "Document language",
    "mandate.intro": "In this agreement, the child's guardians, the child and the responsible social worker agree "
                     "on how the family group conference will be arranged: which matters concerning the child the "
                     "loved ones will make a plan about, which professionals will be invited to the meeting and "
                     "what information may be passed on.",
    "mandate.children": "Children",
    "mandate.col.name": "Name",
    "mandate.col.calling_name": "Known as",
    "mandate.col.birth_date": "Date of birth",
    "mandate.col.hetu": "Personal identity code",
    "mandate.col.school": "School or day care",
    "mandate.birth_date_age": "{birth_date} (aged {age})",
    "mandate.guardians": "Guardians and parents",
    "mandate.col.relation": "Relationship to the child",
    "mandate.col.is_guardian": "Guardian",
    "mandate.col.language": "Preferred language",
    "mandate.col.interpreter": "Interpreter needed",
    "mandate.contacts": "Contact details",
    "mandate.col.phone": "Telephone",
    "mandate.col.email": "Email",
    "mandate.col.address": "Postal address",
    "mandate.social_worker": "Responsible social worker",
    "mandate.coordinator": "Convener",
    "mandate.impartiality": "Impartiality",
    "mandate.impartiality.value": "Confirmed that the convener does not work on the family's case: {confirmed}",
    "mandate.coordinator.later": "The convener will be named later. The convener is impartial and does not work "
                                 "on the family's case.",
    "mandate.reason": "Background: why a family group conference",
    "mandate.themes": "Matters to be covered",
    "mandate.themes.intro": "We agree that the family group conference will make a plan about the following "
                            "matters concerning the child:",
    "mandate.workers": "Professionals taking part",
    "mandate.workers.intro": "In addition to the responsible social worker, the following professionals will take "
                             "part in the family group conference and give information during the "
                             "information-sharing stage of the meeting:",
    "mandate.workers.col.name": "Name and role",
    "mandate.workers.col.organisation": "Organisation",
    "mandate.workers.col.contact": "Contact details",
    "mandate.workers.col.contribution": "Information they bring to the meeting",
    "mandate.workers.none": "The only professional taking part in the family group conference is the "
                            "responsible social worker.",
    "mandate.child": "The child's participation",
    "mandate.child.attends": "Will the child attend the meeting",
    "mandate.child.how": "How the child takes part",
    "mandate.child.assistant": "The child needs a support person",
    "mandate.access": "Language and accessibility",
    "mandate.access.language": "Meeting language",
    "mandate.access.interpreting": "Interpreting",
    "mandate.access.needs": "Special requirements",
    "mandate.safety": "Safety",
    "mandate.safety.note": "People who are not invited, and safety arrangements. This information is not given "
                           "to loved ones.",
    "mandate.schedule": "Timetable",
    "mandate.schedule.target": "Target dates for the meeting: ",
    "mandate.consent": "Consent to share information",
    "mandate.consent.both": "We consent to the summary written by the social worker being given to the convener "
                            "and, to the extent that we have approved it, to the loved ones invited to the meeting.",
    "mandate.consent.coordinator": "We consent to the summary written by the social worker being given to the "
                                   "convener. We do not consent to the summary being given to the loved ones "
                                   "invited to the meeting.",
    "mandate.consent.network": "We consent to the summary written by the social worker being given, to the extent "
                               "that we have approved it, to the loved ones invited to the meeting. We do not "
                               "consent to the summary being given to the convener.",
    "mandate.consent.none": "We do not consent to the summary being given to the convener or to the loved ones "
                            "invited to the meeting.",
    "mandate.consent.scope": "Limits to the consent: ",
    "mandate.consent.child": "The child's own consent",
    "mandate.consent.child.value": " – {name}: {consent}",
    "mandate.consent.withdraw": "Consent can be withdrawn.",
    "mandate.consent.withdraw.how": " To withdraw it, tell the responsible social worker.",
    "mandate.clauses": "Voluntary participation and confidentiality",
    "mandate.clauses.voluntary": "Taking part in the family group conference is voluntary. The family can "
                                 "withdraw at any stage, and this does not affect the family's right to receive "
                                 "services.",
    "mandate.clauses.confidential": "What is discussed at the family group conference is confidential. "
                                    "Professionals are bound by a duty of confidentiality, and the loved ones "
                                    "taking part in the meeting are asked not to tell anyone else what they "
                                    "have heard.",
    "mandate.clauses.future": "The family group conference looks to the future: the aim is a plan agreed together "
                              "in the best interests of the child. No one is blamed.",
    "mandate.signatures": "Signatures",
    "mandate.signatures.intro": "By signing, we confirm that we have agreed to the family group conference as "
                                "described above.",
    "sign.place_date": "Place and date",
    "sign.guardian": "Guardian ({relation})",
    "sign.child": "Child (aged {age})",
    "sign.social_worker": "Responsible social worker, {unit}",
    "sign.coordinator": "Convener, {unit}",

    "summary.title": "Summary",
    "summary.header": "SUMMARY – family group conference",
    "summary.intro": "This summary has been written for the family group conference. It contains information "
                     "that loved ones should know in order to make the plan.",
    "summary.basic": "Basic information",
    "summary.author": "Prepared by",
    "summary.background": "Background to our work with the family",
    "summary.background.service": "Service",
    "summary.background.client_since": "The family has been a client",
    "summary.background.worker_since": "The current worker has worked with the family",
    "summary.since": "since {date}",
    "summary.situation": "The situation now",
    "summary.services": "Work done and services",
    "summary.services.col.service": "Service or support",
    "summary.services.col.provider": "Provider",
    "summary.services.col.period": "Period",
    "summary.services.col.status": "Status",
    "summary.services.col.note": "Notes",
    "summary.services.none": "No services have been used.",
    "summary.other_support": "Other support",
    "summary.strengths": "Strengths and resources – what works",
    "summary.concerns": "Worries",
    "summary.child_views": "The child's views and wishes",
    "summary.child_views.source": "How the views were obtained: ",
    "summary.guardian_views": "Parents' and guardians' views",
    "summary.lead_in": "Why a plan is needed",

    "questions.title": "Questions",
    "questions.header": "QUESTIONS – family group conference",
    "questions.author": "Prepared by",
    "questions.intro": "At the family group conference, loved ones use their private family time to make a plan "
                       "that answers these questions. The questions have been drawn up together with the family.",
    "questions.case": "Questions for loved ones",
    "questions.standard": "Standard questions",
    "questions.standard.intro": "Every plan also answers the following questions:",
    "questions.bottom_lines": "Bottom lines",
    "questions.bottom_lines.intro": "Bottom lines are conditions set by the authorities that the plan must meet "
                                    "before it can be agreed.",
    "questions.if_no_plan": "If no plan is made or the plan is not agreed",

    "follow_up.title": "Follow-up meeting summary",
    "follow_up.header": "FOLLOW-UP MEETING SUMMARY – family group conference",
    "follow_up.intro": "This summary has been written for the follow-up meeting. It describes how the plan made "
                       "at the family group conference has been carried out and which parts of it need to be "
                       "refined.",
    "follow_up.basic": "Basic information",
    "follow_up.author": "Prepared by",
    "follow_up.plan": "Plan being followed up",
    "follow_up.plan.value": "Version {version}, dated {date}",
    "follow_up.worked_well": "What has worked and can continue",
    "follow_up.worked_well.none": "Nothing has been recorded under this heading.",
    "follow_up.to_refine": "What needs refining and how",
    "follow_up.to_refine.col.item": "Part of the plan",
    "follow_up.to_refine.col.what": "What needs refining",
    "follow_up.to_refine.col.how": "Proposal: how",
    "follow_up.to_refine.none": "Nothing has been recorded under this heading.",
    "follow_up.new_concerns": "New worries or changes",
    "follow_up.cooperation": "Working together so far",
    "follow_up.questions": "Questions for loved ones",
    "follow_up.questions.intro": "At the follow-up meeting, loved ones are asked for their assessment of the "
                                 "following:",
    "follow_up.bottom_lines": "Updated bottom lines",
    "follow_up.bottom_lines.intro": "Bottom lines set by the authorities that the updated plan must meet:",
}

# --- the family plan, and the follow-up meeting's outcome ----------------------------------------
# The plan is the family's own document: plain, warm words, the family's answers as they wrote them.

PLAN_TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "plan.title": "Läheisneuvonpidon suunnitelma",
        "plan.header": "LÄHEISNEUVONPIDON SUUNNITELMA",
        "plan.subtitle": "{names} – {date}",
        "plan.subtitle.and": " ja ",
        "plan.supersedes": "Versio {version} – korvaa version {old_version} ({date})",
        "plan.intro": "Tämä on perheen ja läheisten oma suunnitelma. Se tehtiin läheisneuvonpidossa yhdessä, "
                      "lasten parhaaksi. Suunnitelmaan on kirjattu, mitä sovittiin, kuka tekee mitäkin ja milloin, "
                      "ja miten pidämme huolta siitä, että sovittu toteutuu.",
        "plan.meeting": "Kokous",
        "plan.meeting.date": "Kokouspäivä",
        "plan.meeting.start": "Alkoi",
        "plan.meeting.end": "Päättyi",
        "plan.meeting.place": "Paikka",
        "plan.coordinator": "Koollekutsuja",
        "plan.participants": "Keitä oli mukana",
        "plan.participants.intro": "Kokouksessa oli kolme vaihetta: tiedonantovaihe, läheisten oma aika ja "
                                   "suunnitelman esittely.",
        "plan.col.relation": "Suhde lapseen tai rooli",
        "plan.col.information": "Tiedonanto",
        "plan.col.private_time": "Läheisten oma aika",
        "plan.col.presentation": "Suunnitelman esittely",
        "plan.assistant": ", lapsen avustaja",
        "plan.scribe": ", kirjuri",
        "plan.absent": "Poissa olleet, jotka osallistuivat",
        "plan.child_views": "Lapsen näkemys ja toiveet",
        "plan.child_views.source": "Miten näkemys saatiin: ",
        "plan.answers": "Vastaukset kysymyksiin",
        "plan.answers.intro": "Läheiset vastasivat omalla ajallaan näihin kysymyksiin. Vastaukset on kirjoitettu "
                              "perheen omin sanoin.",
        "plan.answers.theme": "Teema: {theme}",
        "plan.answers.not_agreed": "Tästä kysymyksestä ei päästy yhteiseen vastaukseen.",
        "plan.answers.no_actions": "Tähän kysymykseen ei sovittu tehtäviä.",
        "plan.col.what": "Mitä tehdään",
        "plan.col.who": "Kuka tekee",
        "plan.col.when": "Milloin",
        "plan.col.checks": "Kuka seuraa",
        "plan.standard": "Yleiset kysymykset",
        "plan.col.from": "Keneltä",
        "plan.col.support": "Mihin tukea tarvitaan",
        "plan.col.status": "Tilanne",
        "plan.support.none": "Työntekijöiltä tarvittavaa tukea ei ole kirjattu.",
        "plan.monitoring.who": "Seurannasta huolehtii: {who}",
        "plan.follow_up.when": "Aika",
        "plan.follow_up.place": "Paikka",
        "plan.follow_up.invitees": "Kutsutaan",
        "plan.bottom_lines": "Reunaehtojen täyttyminen",
        "plan.bottom_lines.intro": "Sosiaalityöntekijä asetti suunnitelmalle reunaehdot. Näin suunnitelma täyttää ne:",
        "plan.col.bottom_line": "Reunaehto",
        "plan.col.how_met": "Miten suunnitelma täyttää sen",
        "plan.dissent": "Eriävät mielipiteet",
        "plan.dissent.intro": "Suunnitelmasta sovittiin yhdessä. Jos joku oli jostakin asiasta eri mieltä, se on "
                              "kirjattu tähän.",
        "plan.approval": "Sosiaalityöntekijän arvio ja hyväksyntä",
        "plan.approval.decision": "Päätös: {decision}",
        "plan.approval.conditions": "Tarkennukset",
        "plan.approval.reasons": "Perustelut",
        "plan.approval.not_approved": "Perhe voi muuttaa suunnitelmaa ja esittää sen uudelleen. Sosiaalityöntekijä "
                                      "kertoo, mitä suunnitelmassa on muutettava.",
        "plan.approval.by": "Arvioinut: {name}, {title}, {date}",
        "plan.contacts.social_worker": "Sosiaalityöntekijä",
        "plan.signatures": "Allekirjoitukset",
        "plan.signatures.intro": "Sosiaalityöntekijä vahvistaa arvionsa ja päätöksensä allekirjoituksellaan.",
        "plan.sign.social_worker": "Sosiaalityöntekijä, {unit}",
        "plan.acceptance": "Osallistujien hyväksyntä",
        "plan.acceptance.intro": "Olimme mukana tekemässä tätä suunnitelmaa ja sitoudumme omalta osaltamme siihen, "
                                 "mitä sovimme.",
        "plan.acceptance.not_approved": "Osallistujien allekirjoitukset",
        "plan.acceptance.not_approved.intro": "Olimme mukana tekemässä tätä suunnitelmaa. Suunnitelmaa ei hyväksytty, "
                                              "joten allekirjoituksemme vahvistaa vain, että osallistuimme.",
        "plan.col.signature": "Allekirjoitus",
        "plan.closing": "Suunnitelma on salassa pidettävä. Se annetaan vain niille, joille sen antamisesta on sovittu.",
        "follow_up.outcome": "Seurantakokouksen tulos",
        "follow_up.outcome.value": "Seurantakokouksessa sovittiin: {outcome}",
    },
    "sv": {
        "plan.title": "Familjerådslagets plan",
        "plan.header": "FAMILJERÅDSLAGETS PLAN",
        "plan.subtitle": "{names} – {date}",
        "plan.subtitle.and": " och ",
        "plan.supersedes": "Version {version} – ersätter version {old_version} ({date})",
        "plan.intro": "Det här är familjens och de närståendes egen plan. Den gjordes tillsammans vid familjerådslaget, "
                      "för barnens bästa. I planen står vad vi kom överens om, vem som gör vad och när, och hur vi "
                      "ser till att det vi kom överens om blir gjort.",
        "plan.meeting": "Mötet",
        "plan.meeting.date": "Mötesdag",
        "plan.meeting.start": "Började",
        "plan.meeting.end": "Slutade",
        "plan.meeting.place": "Plats",
        "plan.coordinator": "Sammankallare",
        "plan.participants": "Vilka var med",
        "plan.participants.intro": "Mötet hade tre delar: informationsdelen, de närståendes privata överläggning och "
                                   "presentationen av planen.",
        "plan.col.relation": "Relation till barnet eller roll",
        "plan.col.information": "Information",
        "plan.col.private_time": "Privat överläggning",
        "plan.col.presentation": "Presentation av planen",
        "plan.assistant": ", assistent för barnet",
        "plan.scribe": ", antecknade",
        "plan.absent": "Frånvarande som deltog på annat sätt",
        "plan.child_views": "Barnets synpunkter och önskemål",
        "plan.child_views.source": "Hur barnets synpunkter har inhämtats: ",
        "plan.answers": "Svar på frågorna",
        "plan.answers.intro": "De närstående svarade på frågorna under sin privata överläggning. Svaren är skrivna "
                              "med familjens egna ord.",
        "plan.answers.theme": "Tema: {theme}",
        "plan.answers.not_agreed": "Om den här frågan nådde man inget gemensamt svar.",
        "plan.answers.no_actions": "Inga uppgifter avtalades för den här frågan.",
        "plan.col.what": "Vad görs",
        "plan.col.who": "Vem gör det",
        "plan.col.when": "När",
        "plan.col.checks": "Vem följer upp",
        "plan.standard": "Allmänna frågor",
        "plan.col.from": "Av vem",
        "plan.col.support": "Vad stödet behövs till",
        "plan.col.status": "Läge",
        "plan.support.none": "Inget stöd av anställda har antecknats.",
        "plan.monitoring.who": "Uppföljningen sköts av: {who}",
        "plan.follow_up.when": "Tid",
        "plan.follow_up.place": "Plats",
        "plan.follow_up.invitees": "Inbjuds",
        "plan.bottom_lines": "Hur ramvillkoren uppfylls",
        "plan.bottom_lines.intro": "Socialarbetaren ställde ramvillkor för planen. Så här uppfyller planen dem:",
        "plan.col.bottom_line": "Ramvillkor",
        "plan.col.how_met": "Hur planen uppfyller det",
        "plan.dissent": "Avvikande åsikter",
        "plan.dissent.intro": "Planen gjordes upp tillsammans. Om någon hade en annan åsikt i någon fråga står det här.",
        "plan.approval": "Socialarbetarens bedömning och godkännande",
        "plan.approval.decision": "Beslut: {decision}",
        "plan.approval.conditions": "Preciseringar",
        "plan.approval.reasons": "Motivering",
        "plan.approval.not_approved": "Familjen kan ändra planen och lägga fram den på nytt. Socialarbetaren berättar "
                                      "vad som behöver ändras i planen.",
        "plan.approval.by": "Bedömd av: {name}, {title}, {date}",
        "plan.contacts.social_worker": "Socialarbetare",
        "plan.signatures": "Underskrifter",
        "plan.signatures.intro": "Socialarbetaren bekräftar sin bedömning och sitt beslut med sin underskrift.",
        "plan.sign.social_worker": "Socialarbetare, {unit}",
        "plan.acceptance": "Deltagarnas godkännande",
        "plan.acceptance.intro": "Vi var med och gjorde upp den här planen och förbinder oss för vår del till det vi "
                                 "kom överens om.",
        "plan.acceptance.not_approved": "Deltagarnas underskrifter",
        "plan.acceptance.not_approved.intro": "Vi deltog i arbetet med den här planen. Planen godkändes inte, så vår "
                                              "underskrift bekräftar endast att vi deltog.",
        "plan.col.signature": "Underskrift",
        "plan.closing": "Planen är sekretessbelagd. Den ges endast till dem som man har kommit överens om.",
        "follow_up.outcome": "Resultatet av uppföljningsmötet",
        "follow_up.outcome.value": "Vid uppföljningsmötet kom man överens om: {outcome}",
    },
    "en": {
        "plan.title": "Family plan",
        "plan.header": "FAMILY PLAN – family group conference",
        "plan.subtitle": "{names} – {date}",
        "plan.subtitle.and": " and ",
        "plan.supersedes": "Version {version} – replaces version {old_version} ({date})",
        "plan.intro": "This is the family's own plan, made together at the family group conference for the good of "
                      "the children. It sets out what we agreed, who does what and by when, and how we will make sure "
                      "that what we agreed happens.",
        "plan.meeting": "The meeting",
        "plan.meeting.date": "Meeting date",
        "plan.meeting.start": "Started",
        "plan.meeting.end": "Ended",
        "plan.meeting.place": "Place",
        "plan.coordinator": "Convener",
        "plan.participants": "Who took part",
        "plan.participants.intro": "The meeting had three stages: information sharing, private family time and "
                                   "presenting the plan.",
        "plan.col.relation": "Relationship to the child or role",
        "plan.col.information": "Information sharing",
        "plan.col.private_time": "Private family time",
        "plan.col.presentation": "Presenting the plan",
        "plan.assistant": ", the child's support person",
        "plan.scribe": ", wrote the plan down",
        "plan.absent": "People who could not come but took part",
        "plan.child_views": "The child's views and wishes",
        "plan.child_views.source": "How the views were obtained: ",
        "plan.answers": "Answers to the questions",
        "plan.answers.intro": "Loved ones answered these questions in their private family time. The answers are in "
                              "the family's own words.",
        "plan.answers.theme": "Theme: {theme}",
        "plan.answers.not_agreed": "No shared answer was reached on this question.",
        "plan.answers.no_actions": "No tasks were agreed for this question.",
        "plan.col.what": "What will be done",
        "plan.col.who": "Who does it",
        "plan.col.when": "By when",
        "plan.col.checks": "Who checks",
        "plan.standard": "Standard questions",
        "plan.col.from": "From whom",
        "plan.col.support": "What the support is for",
        "plan.col.status": "Status",
        "plan.support.none": "No support from professionals has been recorded.",
        "plan.monitoring.who": "Who keeps track: {who}",
        "plan.follow_up.when": "When",
        "plan.follow_up.place": "Place",
        "plan.follow_up.invitees": "Invited",
        "plan.bottom_lines": "How the plan meets the bottom lines",
        "plan.bottom_lines.intro": "The social worker set bottom lines for the plan. This is how the plan meets them:",
        "plan.col.bottom_line": "Bottom line",
        "plan.col.how_met": "How the plan meets it",
        "plan.dissent": "Dissenting views",
        "plan.dissent.intro": "The plan was agreed together. Where someone saw something differently, it is recorded "
                              "here.",
        "plan.approval": "The social worker's assessment and approval",
        "plan.approval.decision": "Decision: {decision}",
        "plan.approval.conditions": "Conditions",
        "plan.approval.reasons": "Reasons",
        "plan.approval.not_approved": "The family can change the plan and present it again. The social worker will "
                                      "explain what needs to change.",
        "plan.approval.by": "Assessed by: {name}, {title}, {date}",
        "plan.contacts.social_worker": "Social worker",
        "plan.signatures": "Signatures",
        "plan.signatures.intro": "The social worker confirms the assessment and the decision by signing below.",
        "plan.sign.social_worker": "Social worker, {unit}",
        "plan.acceptance": "Participants' agreement",
        "plan.acceptance.intro": "We took part in making this plan and will each do our part in what we agreed.",
        "plan.acceptance.not_approved": "Participants' signatures",
        "plan.acceptance.not_approved.intro": "We took part in making this plan. The plan was not approved, so our "
                                              "signatures confirm only that we took part.",
        "plan.col.signature": "Signature",
        "plan.closing": "This plan is confidential. It is given only to the people it was agreed to be given to.",
        "follow_up.outcome": "Outcome of the follow-up meeting",
        "follow_up.outcome.value": "At the follow-up meeting it was agreed: {outcome}",
    },
}
for _lang in LANGUAGES:
    TEXTS[_lang].update(PLAN_TEXTS[_lang])

# --- column widths (cm) -------------------------------------------------------------------------
# Finnish widths are the originals; a language overrides a table only where its longer words
# would otherwise break mid-word or wrap the header badly. Each row must keep the same total.

WIDTHS: dict[str, dict[str, list[float]]] = {
    "fi": {
        "header": [9.0, 8.0],
        "footer": [5.2, 6.6, 5.2],
        "worker": [3.1, 5.4, 2.9, 5.6],
        "basic": [5.0, 12.0],
        "sharing": [9.0, 8.0],
        "signatures": [6.2, 1.0, 9.8],
        "mandate.meta": [3.6, 3.0, 2.0, 4.6, 3.8],
        "mandate.children_hetu": [4.3, 2.5, 3.0, 2.7, 4.5],
        "mandate.children": [5.0, 2.8, 3.4, 5.8],
        "mandate.guardians": [4.2, 2.5, 2.9, 2.0, 3.2, 2.2],
        "mandate.contacts": [3.4, 3.3, 5.1, 5.2],
        "mandate.workers": [3.9, 3.6, 3.9, 5.6],
        "mandate.child": [6.0, 11.0],
        "mandate.access": [6.0, 11.0],
        "summary.background": [6.5, 10.5],
        "summary.services": [3.4, 3.5, 3.3, 2.1, 4.7],
        "follow_up.to_refine": [4.0, 6.5, 6.5],
    },
    "sv": {
        # "SAMMANFATTNING INFÖR UPPFÖLJNINGSMÖTET – familjerådslag" needs 9.5 cm on one line,
        # "SEKRETESSBELAGD – OffL 24 § 1 mom 25 p." 6.5 cm.
        "header": [10.1, 6.9],
        # "Personbeteckning" and "Vårdnadshavare" would otherwise break inside the word.
        "mandate.children_hetu": [4.0, 2.4, 3.0, 3.5, 4.1],
        "mandate.guardians": [4.0, 2.4, 2.7, 3.0, 2.7, 2.2],
        # Swedish service names are long compounds ("Stöd i föräldraskapet vid familjerådgivningen"
        # in bold broke inside "familjerådgivningen"); "12.10–30.11.2026" still on one line.
        "summary.services": [3.8, 3.5, 3.1, 2.0, 4.6],
    },
    "en": {
        # "30 September 2013" on the first line, "(aged 13)" on the second at most.
        "mandate.children_hetu": [4.0, 2.2, 3.6, 2.7, 4.5],
        "mandate.children": [4.8, 2.4, 3.8, 6.0],
        # "30 September 2026" on one line (it broke before the year in a 3.0 cm column).
        "mandate.meta": [3.0, 3.8, 1.8, 4.6, 3.8],
    },
}


def _check_tables() -> None:
    keys = set(TEXTS["fi"])
    for lang in LANGUAGES:
        missing, extra = keys - set(TEXTS[lang]), set(TEXTS[lang]) - keys
        if missing or extra:
            raise RuntimeError(f"template_texts[{lang}]: missing {sorted(missing)}, extra {sorted(extra)}")
        for key, text in TEXTS[lang].items():
            if "{{" in text or "{%" in text:
                raise RuntimeError(f"template_texts[{lang}][{key}]: Jinja belongs in the builder, not here")
        for key, widths in WIDTHS[lang].items():
            base = WIDTHS["fi"][key]
            if len(widths) != len(base) or abs(sum(widths) - sum(base)) > 1e-6:
                raise RuntimeError(f"template_texts widths[{lang}][{key}]: must have {len(base)} columns "
                                   f"summing to {sum(base)} cm")


_check_tables()
