"""The vocabularies of publisher chrome (regex fragments): who speaks, and about what.

Each fragment asks for the publisher speaking about itself ("our helpline", "this
leaflet", "us") or about the page, or for a label followed by a date or code; the rules
that combine them, and the reasons they give, are in :mod:`pipeline.clean.text.chrome`.
"""

from __future__ import annotations

from pipeline.clean.text.signals import DATE

# "this leaflet", "our website", "the information on this page": the publication itself.
PUB = (
    r"(?:web ?pages?|pages?|(?:web)?sites?|leaflets?|booklets?|brochures?|fact ?sheets?"
    r"|information|articles?|guides?|content|publications?|documents?|resources?|materials?"
    r"|posts?|blogs?)"
)
SELF = (
    rf"(?:(?:this|our|these) {PUB}"
    rf"|the (?:information|content|material) (?:on|in) (?:this|our) {PUB})"
)
# A date, a month/year ("03/2026"), a dotted date ("12.03.2024") or, right after a
# review label, a bare year.
DATED = rf"(?:{DATE.pattern}|\b\d{{1,2}}/\d{{4}}\b|\b\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}\b)"
YEAR = r"\b(?:19|20)\d\d\b"
# Words that may come before "reviewed"/"updated" in a review-date line (not "study",
# "trial", "guidance": "The study, published in May 2023, ..." is text).
REVIEW_PREFIX = (
    r"(?:this|the|our|page|topic|article|content|post|information|leaflet|booklet|factsheet"
    r"|guide|medically|clinically|expertly|originally|first|last|next|date|of|was|is|has|been"
    r"|due|for)"
)
REVIEW_VERB = r"(?:reviewed|updated|published|produced|issued|revised|checked|written|modified)"
REVIEW_LABEL = (
    r"(?:(?:date of |next |last )*(?:planned |scheduled |full )?(?:review|publication)"
    r"(?: date| due(?: date)?)?"
    r"|(?:next )?due for review|(?:date )?(?:last )?(?:reviewed|published|produced|issued|updated))"
)
REVIEW_DATE = (
    rf"^\W*(?:{REVIEW_PREFIX}\s+){{0,5}}{REVIEW_VERB}\b.{{0,80}}?{DATED}"
    rf"|^\W*{REVIEW_LABEL}\s*(?::|-|–)\s*(?:on |in )?(?:{DATED}|{YEAR})"
    rf"|\b(?:next review|review date|due for review|review due)\b\s*:?\s*(?:{DATED}|{YEAR})"
    rf"|\b(?:published|reviewed|updated|revised|last reviewed|last updated)\s*:\s*{DATED}"
)
REVIEWED_BY = (
    r"^\W*(?:(?:medically|clinically|expertly|expert|peer)[- ])?(?:reviewed|fact[- ]checked) by\b"
)

# "This leaflet ... should not replace ...": the publication disclaims itself.
DISCLAIMER_SELF = (
    rf"\b{SELF}\b.{{0,60}}?\b(?:(?:is|are) not (?:intended|meant|designed) (?:to|as|for)"
    r"|(?:should|must|does|do|can|will|is|are) not (?:be used (?:to replace|as|in place of)"
    r"|replace|be (?:taken|relied|considered|construed|treated) (?:as|up ?on)|substitute"
    r"|take the place of)|(?:is|are) not (?:an? )?(?:substitute|replacement) for)"
    rf"|\b{SELF}\b.{{0,40}}\b(?:does|do|can|will|is|are) not (?:intended to )?"
    r"(?:offer|give|provide|constitute) (?:\w+ ){0,2}(?:advice|diagnos[ie]s)\b"
)
DISCLAIMER = (
    r"^\W*(?:medical |legal |important )?disclaimer\s*[:.–-]"
    r"|\bnothing (?:on|in) (?:this|our) " + PUB + r"\b.{0,40}\b(?:advice|substitute|replace)"
    r"|\bfor (?:general |educational |informational |information |reference )*"
    r"(?:purposes|use|information|education|reference)(?: purposes)? only\b"
    r"|\b(?:substitute|replacement) for (?:(?:professional|medical|individual|personal|expert"
    r"|qualified|the|your) )*(?:advice|consultation|diagnosis)\b"
    r"|\bor (?:any )?other qualified (?:health ?(?:care)?|medical) (?:provider|professional"
    r"|practitioner)s?\b"
    r"|\b(?:we|the publishers?|the authors?) (?:are|is|will|shall|cannot|can ?not|do|does)"
    r"(?: not)? (?:be )?(?:held )?(?:liable|responsible for|accept (?:any )?(?:responsibility"
    r"|liability))\b|\b(?:accepts?|takes?|assumes?) no (?:responsibility|liability)\b"
    r"|\bnot (?:be )?(?:construed|taken|relied (?:up)?on) as (?:medical|professional) advice\b"
    r"|\b(?:is|are) not (?:intended|meant) to (?:diagnose|treat|cure|prevent)\b"
)

STAFF = (
    r"(?:team|nurses?|pharmacists?|experts?|advis[eo]rs?|specialists?|doctors?|gps?"
    r"|counsell?ors?|volunteers?|advice team|helpline team)"
)
# "webchat" alone is a product feature on software pages: it needs a call around it.
CHAT_CTA = (
    r"\b(?:on|via|by|through|use|start|open|try) (?:our )?(?:live |online )?web ?chat\b"
    r"|\bweb ?chat (?:is |are )?(?:open|available|now|online)\b|\bchat online\b|\bonline chat\b"
    r"|\bchat (?:to|with) (?:one of )?our\b|\bchat (?:to|with) an? \w+ (?:online|now|today)\b"
)
# The call opens the unit or follows a question lead ("Questions? Our nurses are here to
# help"): inside a sentence ("Plus, our support team is here to help if ...") it is text.
TEAM_CTA = (
    r"(?:^|[?!:]\s+)\W*(?:(?:you can |please |or )?(?:message|whats ?app|text|e-?mail|contact"
    r"|ask|talk to) (?:one of )?our"
    rf" (?:\w+ )?{STAFF}\b|our (?:\w+ ){{0,2}}{STAFF} (?:are |is )?(?:here|available|on hand"
    r"|ready|happy|waiting) to (?:help|answer|talk|listen|support|advise)\b)"
)
LINE = (
    r"(?:helplines?|support lines?|advice lines?|information lines?|phone lines?|nurse lines?"
    r"|telephone (?:service|line)s?|support services?|information services?)"
)
HELPLINE_CTA = (
    rf"\bour (?:\w+ ){{0,3}}{LINE}\b"
    r"|^\W*(?:freephone|free ?phone|lines? (?:are )?open|open (?:mon|monday|7 days|24 hours))\b"
)

# "(PDF, 2 MB)", "(312 KB)": a file link's size ("(pdf)" alone titles a resource list).
FILE = r"\(\s*(?:(?:pdf|docx?|word|epub|rtf)\b[^)]{0,20})?\d(?:\.\d+)?\s?(?:kb|mb)\s*\)"
# Downloading the publication itself ("download our leaflet", "download this page as a
# PDF"), not an app or a checklist the text recommends.
DOWNLOAD_OBJECT = (
    r"(?:copy|version|leaflets?|booklets?|brochures?|fact ?sheets?|guides?|pdfs?|page"
    r"|information|posters?|publications?|resources?|information pack)"
)
LEAFLET_DOWNLOAD = (
    rf"\bdownload (?:our|this|these) (?:\w+ ){{0,2}}{DOWNLOAD_OBJECT}\b"
    r"|\bdownload (?:a |an |the )?(?:free |printable |printer-friendly |pdf |full |accessible "
    rf"|easy read )*(?:copy|version|pdf) of (?:this|our|these) {PUB}\b"
    r"|\b(?:(?:this|our) " + PUB + r"|a copy) (?:as|in) (?:a )?pdf\b"
)
LEAFLET_ORDER = (
    r"\b(?:order|request|get|ask for)\b (?:an? |your |free |printed |print |paper |hard "
    r"|additional |extra )*(?:cop(?:y|ies)|versions?) of (?:this|our|these) (?:\w+ ){0,2}"
    rf"{PUB}\b|\b(?:order|request) (?:free |printed |paper )*(?:cop(?:y|ies) of )?our "
    r"(?:\w+ ){0,2}(?:leaflets?|booklets?|publications?|fact ?sheets?|guides?|information)\b"
)
FORMATS = (
    r"(?:large print|braille|audio|easy ?read|(?:other |different |community )?languages?"
    r"|(?:other |alternative |accessible |different )formats?|on request)"
)
LEAFLET_FORMATS = (
    rf"\b(?:this|our) {PUB}\b.{{0,30}}\bavailable (?:in|as|on)\b.{{0,30}}\b{FORMATS}"
    rf"|\bif you (?:need|would like|want) (?:this|our|the) {PUB}\b.{{0,30}}\b(?:format|language"
    r"|large print|braille|audio|easy read)s?\b"
    r"|^\W*(?:other|alternative|accessible) (?:formats?|languages?)\s*:"
)
# "Ref: HLT-0423, version 3", "Leaflet number: 1234/VER2", "NB/CV/0042", "PIL-0423 v3.0":
# a code holds a letter or a 3-digit run ("Reference: 3.5-5.0 mmol/L" is a lab range).
CODE = (
    r"(?:(?=[\w/.-]*(?:[a-z]|\d{3}))(?=[\w/.-]*\d)[a-z\d]+(?:[-/.][a-z\d]+)+"
    r"|[a-z]{2,}\d[\w/.-]*)"
)
LEAFLET_CODE = (
    r"^\W*(?:(?:patient|information|leaflet|publication|document|booklet|factsheet|our|pil)\s+)*"
    r"(?:ref(?:erence)?|no|number|code|id|leaflet|publication|pil)\b\.?"
    r"(?:\s*(?:no|number|code|id)\b\.?)?\s*:?\s*#?" + CODE
)

NEWSLETTER = (
    r"\b(?:get|receive|sign up (?:to|for)|subscribe to|join) (?:our|the) (?:free |weekly "
    r"|monthly |daily |regular |latest |e-?mail |e-)*(?:e-?mails?|e-?news|bulletins?"
    r"|newsletters?|updates|digest|alerts|magazine)\b"
    r"|\bsubscribe\b(?: (?:now|today|here))?\s*(?:for|to get|to receive) (?:the latest|our"
    r"|free|regular|weekly|monthly)\b"
    r"|\b(?:sign up|register) (?:now |today |here )?(?:for|to (?:get|receive)) (?:our|free"
    r"|regular|weekly|monthly)\b.{0,30}\b(?:tips|news|updates|e-?mails?|offers|stories)\b"
)
# Not a bare "20% off" or "Save 10%": on a shop page the price is the text.
# A voucher code is letters then digits ("HEALTH20"; "the code 302" is a status code),
# or the call ends at a checkout; a text about promo codes is no promo.
PROMO_OFFER = (
    r"\b\d{1,2}\s?% off (?:your|all|at our|in our)\b"
    r"|\b(?:with|use|enter|apply|discount|promo|promotional|voucher|coupon) (?:the )?(?:\w+ )?"
    r"code:? [a-z]+\d|\bcode\b.{0,30}\bat checkout\b"
    r"|\b(?:visit|browse|shop|explore|buy from|order from) (?:in )?our (?:online )?(?:shop|store"
    r"|range|products)\b|\bshop our (?:full )?range\b|\b(?:at|in) our (?:online )?"
    r"(?:shop|store)\b"
)
MEMBERSHIP = (
    r"\bjoin (?:over |more than |our )?[\d,.]+k? (?:other )?(?:members|people|subscribers"
    r"|supporters|readers)\b|\bbecome a (?:member|friend|supporter)\b"
)
FUNDRAISING = (
    r"\b(?:every|your) (?:donation|gift)\b.{0,40}\b(?:helps? us|our work|our research"
    r"|helps? (?:to )?fund|could (?:pay|fund|buy)|will (?:pay|fund|buy)|can (?:pay|fund|buy))\b"
    r"|\b(?:fundrais(?:e|ing)|raise money|raise funds) (?:for|with) us\b|\btake on a challenge\b"
    r"|\bleave a gift in your will\b|\bgive (?:today|now|monthly)\b|\bplay our (?:\w+ )?lottery\b"
    r"|(?:£|\$|€)\d+ (?:could|can|will) (?:help|pay|fund|buy)\b"
)
REGISTRATION = (
    r"\bregistered (?:as a )?charity\b|\bcharity (?:reg(?:istration|istered)?\.? )?(?:no|number)\b"
    r"|\bcompany (?:no|number|registration|limited by guarantee)\b"
    r"|\bregistered (?:office|company|in england|in scotland|in wales)\b|\bvat (?:no|number|reg)\b"
)
# A row of page tools ("Print | Email | Share") or one tool on the page ("Print this
# page"); never one bare word ("Email" labels a form field, "Save" a shop button).
TOOL = r"(?:print|e-?mail|share|save|bookmark|download)"
TOOL_OBJECT = r"(?: this| the)? (?:page|article|leaflet|story|post|pdf)"
PAGE_TOOLS = (
    rf"^\W*{TOOL}{TOOL_OBJECT}\W*$"
    rf"|^\W*{TOOL}(?:{TOOL_OBJECT})?(?:\s*[|•·/,]\s*(?:{TOOL}|pdf)(?:{TOOL_OBJECT})?){{1,4}}\W*$"
)
FEEDBACK = (
    rf"\b(?:did you find|was|is|were) (?:this|the|these|our) {PUB}\b(?: \w+){{0,2}} (?:helpful"
    r"|useful|clear|easy to understand)\b"
    rf"|\bhow (?:useful|helpful|clear) (?:was|is|were|did you find) (?:this|the|our) {PUB}\b"
    rf"|\brate (?:this|our) {PUB}\b|\btell us what you think\b"
    r"|\b(?:give|send|leave|share) (?:us )?(?:your |some )?feedback\b"
    rf"|\bfeedback (?:on|about) (?:this|our) {PUB}\b"
    r"|\breport (?:a |an )?(?:problem|issue|error|mistake) (?:with|on|in|about) (?:this|the) "
    rf"{PUB}\b|\bis there (?:anything|something) wrong with (?:this|the) {PUB}\b"
    r"|\bhelp us improve\b|\btake (?:our|this) (?:short |quick |\d+[- ]minutes? )*(?:survey"
    r"|questionnaire|poll)\b"
)
