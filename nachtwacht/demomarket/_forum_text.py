"""Forum post texts by kind and language (invented): recruitment and its hard negatives.

Slots: {port} {city} {amount} {small} {big} {contact} {emoji}. ``RECRUITING`` kinds are
the ones whose own text recruits (labelled ``recruitment: true`` in the ground truth).
"""

from __future__ import annotations

RECRUITING = frozenset({"recruitment", "recruiter_followup"})

TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "recruitment": {
        "nl": (
            "Uithalers gezocht voor de haven van {port}. {amount} per klus, zelfde dag cash. Geen vragen. DM op {contact} {emoji}",
            "wie wil snel geld verdienen?? {emoji} zoeken jongens 16+ voor koerierswerk in {city}, {small} per rit. stuur een dm {contact}",
            "Klusje: pakketje ophalen in de haven en afleveren in {city}. {amount} voor een nachtje werk. Rijbewijs is een pré. {contact}",
            "Zoek mensen met een havenpas voor de terminal in {port}. Gewoon een container openzetten, wij doen de rest. {big}. Alles via {contact}",
            "Iemand moet bang gemaakt worden in {city}, {big} contant. Alleen serieuze mensen. {contact}",
            "Wie wil z'n bankrekening even uitlenen? 💳 jij houdt 20%, alleen NL/BE rekeningen. {contact}",
            "Chauffeur gezocht voor een paar ritjes NL-BE, {small} per rit, auto regel ik. ff appen {contact}",
            "uithal3rs gezocht 💯 {port} ⚓ {amount} p/n, je moet wel kunnen rennen 🏃 📲 {contact}",
        ),
        "fr": (
            "Recrute guetteurs et charbonneurs pour un point à {city}. {small}/jour, payé cash chaque soir. {contact} {emoji}",
            "Cherche chauffeur pour go-fast Espagne → France, {amount} le voyage. Permis obligatoire. Contact {contact}",
            "Besoin de nourrices pour garder de la marchandise chez vous, {small}/semaine sans bouger de chez toi 🏠💶 {contact}",
            "Qui veut faire de l'argent facile ? on cherche des jeunes motivés pour la charbonne à {city}, 18 ans pas obligé 😉 DM {contact}",
            "Contrat sur un mec à {city}, faut lui faire peur, {big}. Sérieux uniquement. {contact}",
            "On loue ton compte bancaire 💳 tu gardes 30%, virement direct, zéro risque frérot. {contact}",
            "r3crut3 gu3tt3urs 👀 {city}, 150 la journée, on t'apprend tout. {contact}",
        ),
        "es": (
            "Se buscan pilotos para lanchas en {port}, {amount} por viaje. Experiencia en gomas valorable. Escribid a {contact} 🚤",
            "Busco chavales para hacer de punto en {city}, {small}/día, sin preguntas. {contact}",
            "Necesito gente para alijar en el Guadalquivir, se paga bien ({amount} la noche). {contact}",
            "Trabajo fácil: recibir transferencias en tu cuenta y sacar efectivo, te quedas el 20%. Menores también 😉 {contact}",
            "Se busca conductor con carnet para llevar un coche a Francia, {amount} + gastos. {contact}",
            "s3 busc4n p1lotos 🚤 {port}, {amount}, pago al llegar. {contact}",
        ),
        "en": (
            "Looking for money mules EU-wide 💸 you receive, you withdraw, keep 20%. Students welcome. {contact}",
            "Need drivers for runs NL→UK, {amount} per trip, van provided. No questions asked. {contact}",
            "Hiring: port workers with access to the terminal in {port}. Just move one container, {big}. DM {contact}",
            "Got a job for someone who can handle himself in {city}. Scare a guy, {big} cash. Serious only. {contact}",
        ),
        "mixed": (
            "yo wie heeft zin in een quick job 💰 easy money bro, haven {port}, pull up in DM {contact}",
            "cherche des gars pour bosser au port d'Anvers, 5k la nuit, wallah c'est safe, {contact}",
            "bro need koeriers voor Antwerpen, paid same day 💶💶 hmu {contact}",
            "busco gente pa' trabajar en el puerto, bien pagao 💸 hablo NL/ES, DM {contact}",
        ),
    },
    "recruiter_followup": {
        "nl": ("Nog 2 plekken vrij voor dit weekend. {contact}", "Up. Betaalt nog steeds {amount}, vandaag nog beginnen.",
               "Serieuze jongens alleen, geen tijdverspillers. DM {contact}"),
        "fr": ("Toujours dispo, on paie cash. DM {contact}", "Up, il reste des places ce soir 🔥"),
        "es": ("Sigue en pie, quedan plazas. {contact}", "Up, pagamos al momento 💸"),
        "en": ("Still hiring, DM me {contact}", "Bump. Two spots left this week."),
        "mixed": ("nog steeds bezig bro, hmu {contact}", "up up, still need mensen voor vanavond 💯"),
    },
    "interest": {
        "nl": ("Hoeveel is het precies? en is het veilig?", "ik ben 16 kan dat ook?", "dm gestuurd",
               "Wat moet je precies doen dan?"),
        "fr": ("Intéressé, je t'ai envoyé un message", "c'est où exactement ?", "Combien pour la semaine ?"),
        "es": ("Info por privado porfa", "¿Cuánto se saca en una noche?", "interesado, te escribo"),
        "en": ("Sent you a message", "How much per week roughly?", "Is this legit?"),
        "mixed": ("bro ik ben interested, check je dm", "c'est combien per nacht?"),
    },
    "warning": {
        "nl": ("Niet doen jongens. Mijn neef zit vast voor uithalen, 4 jaar gekregen. Ze laten je vallen zodra het misgaat.",
               "Dit is precies hoe ze jonge gasten gebruiken. Jij rent, jij wordt gepakt, zij niet.",
               "Die 'snelle klus' eindigt met schulden bij de verkeerde mensen. Blijf weg."),
        "fr": ("Faites pas ça les jeunes, les guetteurs c'est eux qu'on attrape en premier.",
               "C'est un piège, ils vous utilisent et vous lâchent au premier problème."),
        "es": ("Esto es una trampa, a los chavales los usan y luego los dejan tirados.",
               "No piquéis, el que va en la lancha es el que acaba en prisión."),
        "en": ("This is how they get kids locked up. Don't.", "Money mule = your name on the fraud case. Not worth it."),
        "mixed": ("bro serieus niet doen, c'est pas de l'argent facile, ze pakken altijd de kleine jongens",),
    },
    "drug_talk": {
        "nl": ("Iemand ervaring met de nieuwe Tesla pillen? Sterk spul of niet?",
               "Beste wiet in Rotterdam op dit moment? Mijn vaste adres is gestopt.",
               "Hoe lang duurt verzending naar BE bij de meeste vendors?",
               "Reagens test gedaan op de MD van vorige week, kleurt netjes paars-zwart 👍",
               # look-alikes of logistics mentions (a city, a kitchen container): not hubs
               "Off-topic: mijn oma uit Rotterdam maakt nog steeds de beste erwtensoep van het land.",
               "Restje soep? Laten afkoelen, in een luchtdichte container in de vriezer, blijft maanden goed."),
        "fr": ("Meilleure beuh du moment ? la Gelato est folle", "Combien de temps pour une livraison en France ?",
               "Quelqu'un a testé la kéta aiguilles ? ça tape comment ?"),
        "es": ("¿Alguien ha probado el perico nuevo? ¿qué tal de pureza?", "La maría de este mes está flojísima",
               "¿Cuánto tarda el envío a Canarias?"),
        "en": ("Tested the MDMA, reagent went purple-black, legit.", "Any vendor with decent hash shipping to UK?",
               "Harm reduction: start low with the new pills, they're dosed high.",
               "Off topic: munchies chili, let it cool and keep it in an airtight container in the fridge."),
        "mixed": ("die beuh uit Spanje was echt fire 🔥 merci au vendeur", "la coke van vorige week was meh, 60% max"),
    },
    "drug_sale": {
        "nl": ("Verkoop 5g sneeuw 🇨🇴, 60 euro per gram, alleen Rotterdam-Zuid, stuur DM {contact}",
               "Nederwiet te koop, 10 p/g, ophalen in {city}. {contact}"),
        "fr": ("Vends beuh 10€ le g, {city} centre, {contact}", "Blanche dispo, livraison {city} et alentours 🚗 {contact}"),
        "es": ("Vendo perico, 50 el gramo, {city}, {contact}", "Hachís del bueno, 5€/g, mínimo 10g. {contact}"),
        "en": ("Selling xannies, 2 each, UK only. {contact}", "Ket shards available, 25/g, EU shipping. {contact}"),
        "mixed": ("coke dispo in Antwerpen, 55 per g, livraison rapide 🚀 {contact}",),
    },
    "job_ad": {
        "nl": ("Vacature: heftruckchauffeur Maasvlakte, fulltime, CAO-loon, VCA vereist. Solliciteer via de website van het uitzendbureau.",
               "Bijbaan gezocht? Supermarkt in {city} zoekt vakkenvullers 16+, €12,50 per uur, loonstrook elke maand.",
               "Koeriers gezocht voor pakketbezorging in {city}, eigen busje niet nodig, vast contract na 6 maanden."),
        "fr": ("On recrute des préparateurs de commandes au port du Havre, CDI, 35h, mutuelle.",
               "Livreurs à vélo recherchés à {city}, statut salarié, planning flexible."),
        "es": ("Se busca camarero para temporada en Cádiz, contrato y alta en la Seguridad Social.",
               "Oferta: mozo de almacén en el puerto de {city}, turno de noche, contrato de 6 meses."),
        "en": ("Hiring warehouse staff in Antwerp through a registered agency, payslips, 40h/week.",
               "Delivery drivers wanted, full licence, proper contract and insurance."),
        "mixed": ("Vacature 👷 havenwerker Antwerpen, bilingual NL/FR, CDI, via VDAB",),
    },
    "prevention": {
        "nl": ("Word je benaderd om uithaler te worden? Praat erover met iemand die je vertrouwt. Anoniem melden kan altijd.",
               "Ouders opgelet: criminelen ronselen jongeren via Snapchat voor 'snel geld' in de haven. Praat met je kind.",
               "Geld voor je bankpas? Dat is geldezelen en daar word je zelf voor vervolgd. Doe het niet."),
        "fr": ("Jeunes recrutés comme guetteurs : ce n'est pas un job, c'est de l'exploitation. Parlez-en à un adulte de confiance.",
               "Prévention : on te propose de l'argent facile pour prêter ton compte ? C'est du blanchiment, refuse."),
        "es": ("Los narcos captan menores por redes sociales. Si te ofrecen dinero fácil, pide ayuda.",
               "Campaña: prestar tu cuenta bancaria es delito de blanqueo. No seas mula."),
        "en": ("Reminder: being a money mule is a crime. If someone offers you cash to use your account, report it.",),
        "mixed": ("PSA: ze zoeken 'uithalers' via Insta, c'est un piège, talk to someone 🙏",),
    },
    "news": {
        "nl": ("Politie pakt 12 uithalers op in de haven van {port}, de jongste was 15.",
               "{city}: acht tieners opgepakt die als koerier werkten voor een drugsbende.",
               "Rechtbank: uithaler (17) krijgt jeugddetentie na vlucht uit container."),
        "fr": ("Marseille : un guetteur de 14 ans interpellé, le réseau recrutait sur Snapchat.",
               "Anvers : la police démantèle un réseau qui recrutait des jeunes pour sortir la cocaïne du port."),
        "es": ("Detenidos 20 jóvenes que alijaban hachís en el Guadalquivir.",
               "La Guardia Civil alerta de la captación de menores como pilotos de narcolanchas."),
        "en": ("Europol: criminal networks recruit teenagers online as drug couriers.",),
        "mixed": ("Nieuws: 'les uithalers sont de plus en plus jeunes', zegt de haven politie",),
    },
    "reply": {
        "nl": ("Goed dat dit gedeeld wordt.", "Triest verhaal eigenlijk.", "Klopt, zie het bij ons in de wijk ook.",
               "Thanks voor de info.", "Bump."),
        "fr": ("Merci pour le partage.", "Triste réalité.", "Pareil dans mon quartier."),
        "es": ("Gracias por compartir.", "Qué pena, la verdad.", "En mi barrio igual."),
        "en": ("Thanks for sharing.", "Sad but true.", "Same in my city."),
        "mixed": ("merci, ik deel het in de groep", "true story bro"),
    },
}

SLOTS = {
    "port": {"nl": ("Rotterdam", "Antwerpen", "Vlissingen"), "fr": ("Anvers", "Le Havre", "Marseille"),
             "es": ("Algeciras", "La Línea", "Valencia"), "en": ("Rotterdam", "Antwerp", "Felixstowe"),
             "mixed": ("Rotterdam", "Antwerpen")},
    "city": {"nl": ("Rotterdam", "Antwerpen", "Den Haag", "Amsterdam", "Gent"), "fr": ("Marseille", "Bruxelles", "Lyon", "Lille", "Liège"),
             "es": ("Madrid", "Sevilla", "Barcelona", "Málaga"), "en": ("London", "Antwerp", "Rotterdam", "Manchester"),
             "mixed": ("Antwerpen", "Rotterdam", "Bruxelles")},
}
AMOUNTS = {"amount": ("€2.000", "€5000", "5k", "3.000 euro", "€1500"), "small": ("€150", "100 euro", "€80", "200€"),
           "big": ("€10.000", "10k", "15.000 euro", "€20k")}
EMOJI = ("💰", "💸", "🚤", "📦", "🔥", "💯", "⚓", "💶")
BOARDS = (
    ("werk", {"nl": "Werk & Kansen", "en": "Jobs & opportunities"}, ("nl", "nl", "en", "mixed")),
    ("haven", {"nl": "Haven & Logistiek", "en": "Port & logistics"}, ("nl", "nl", "fr", "mixed")),
    ("algemeen", {"nl": "Algemeen", "en": "General"}, ("nl", "en", "nl")),
    ("le-coin", {"nl": "Le Coin FR", "en": "French corner"}, ("fr", "fr", "fr", "mixed")),
    ("rincon", {"nl": "Rincón hispano", "en": "Spanish corner"}, ("es", "es", "es", "mixed")),
    ("nieuws", {"nl": "Nieuws & Preventie", "en": "News & prevention"}, ("nl", "fr", "es", "en")),
)
THREAD_TITLES = {
    "recruitment": {"nl": "Snel geld verdienen 💰", "fr": "Taf dispo, payé cash", "es": "Curro bien pagado",
                    "en": "Easy money, hiring now", "mixed": "quick job, easy money 💸"},
    "job_ad": {"nl": "Vacature", "fr": "Offre d'emploi", "es": "Oferta de trabajo", "en": "Job offer",
               "mixed": "Vacature / offre d'emploi"},
    "prevention": {"nl": "Let op: ronselen van jongeren", "fr": "Prévention : recrutement des jeunes",
                   "es": "Ojo: captación de menores", "en": "PSA: mule recruitment", "mixed": "PSA ronselen / recrutement"},
    "news": {"nl": "Nieuws", "fr": "Actu", "es": "Noticia", "en": "News", "mixed": "Nieuws / actu"},
    "drug_talk": {"nl": "Ervaringen?", "fr": "Vos avis ?", "es": "¿Opiniones?", "en": "Experiences?", "mixed": "Reviews / avis"},
    "drug_sale": {"nl": "Te koop", "fr": "À vendre", "es": "Se vende", "en": "For sale", "mixed": "Te koop / à vendre"},
}
AUTHORS = ("Rotterdamse_Jongen", "kleinezuid010", "zeeland_zwerver", "p4nda", "Nachtuil", "lefreredu13",
           "Sombra_del_Sur", "tio_paco", "anon_2931", "havenrat", "GreenThumbNL", "boulanger_bxl",
           "xX_v4mp_Xx", "ElGuapo", "Moeke_Gent", "brabo_2000", "LaMouette", "chica_malaga")
RECRUITERS = ("snelgeld010", "w3rk_antwerpen", "LeBoss13", "Capitan_Lancha", "EasyCashEU", "klusjesman_be")
OFFICIAL = {"prevention": ("NoMoreVictims", "Preventieteam_Jeugd"), "news": ("NieuwsBot", "ActuFlash"),
            "job_ad": ("UitzendPlus", "RH_Portuaire")}
QUOTE_INTRO = {"nl": "{who} schreef:", "fr": "{who} a écrit :", "es": "{who} escribió:", "en": "{who} wrote:",
               "mixed": "{who} wrote:"}
