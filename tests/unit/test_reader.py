"""The reply reader, capability by capability. Messages are built inline, one scenario each."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from rsvp.domain.meeting import Meeting
from rsvp.reading import read_message
from rsvp.reading.intent import read_intent
from rsvp.reading.mime import parse_message
from rsvp.reading.people import person_display
from rsvp.reading.quotes import new_text
from tests.conftest import ROOT

TO = "registration+k3v9q2m7x8w4p6ta@minefree-americas.example.org"


def mail(body: str = "", subject: str = "Re: Invitation", headers: dict[str, str] | None = None,
         charset: str = "utf-8", subtype: str = "plain", sender: str = "A B <a@mission.example.org>") -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = sender, TO, subject
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body, subtype=subtype, charset=charset)
    return msg.as_bytes()


# ---------------------------------------------------------------------- MIME as it arrives


def test_a_body_declared_utf8_but_written_in_windows_1252_is_repaired() -> None:
    raw = (f"From: a@b.example.org\r\nTo: {TO}\r\nSubject: Re: Invitation\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").encode()
    raw += "Confirmamos la participación.".encode("cp1252")
    reading = read_message(raw)
    assert reading.intent is not None and reading.intent.value == "accept"
    assert "participación" in reading.new_text


def test_rfc2047_headers_and_base64_bodies_are_decoded() -> None:
    body = base64.b64encode(b"Je participerai avec plaisir.").decode()
    raw = (f"From: =?utf-8?q?Ren=C3=A9e_Dupr=C3=A9?= <r@b.example.org>\r\nTo: {TO}\r\n"
           "Subject: =?utf-8?b?UmU6IEludml0YXRpb24gw6AgbGEgcsOpdW5pb24=?=\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body).encode()
    parsed = parse_message(raw)
    assert parsed.from_name == "Renée Dupré" and parsed.subject == "Re: Invitation à la réunion"
    assert read_message(raw).intent.value == "accept"  # type: ignore[union-attr]


def test_html_only_mail_is_read_as_text_without_the_quoted_part() -> None:
    html = ("<div>We will <b>attend</b> both sessions.</div><div class='gmail_quote'>On Mon, X wrote:"
            "<blockquote>We regret that we cannot attend.</blockquote></div>")
    reading = read_message(mail(html, subtype="html"))
    assert reading.intent.value == "accept"  # type: ignore[union-attr]
    assert "regret" not in reading.new_text


def test_a_folded_multipart_boundary_is_recovered() -> None:
    raw = (f"From: a@b.example.org\r\nTo: {TO}\r\nSubject: Re: Invitation\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/alternative; boundary="=_alternative\r\n 0007879D_="\r\n\r\n'
           "--=_alternative 0007879D_=\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
           "We will attend.\r\n--=_alternative 0007879D_=--\r\n").encode()
    assert read_message(raw).intent.value == "accept"  # type: ignore[union-attr]


def test_attachments_are_ignored_but_a_calendar_reply_is_read() -> None:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "a@b.example.org", TO, "Declined: Dialogue"
    msg.set_content("")
    msg.add_attachment(b"We will attend", maintype="application", subtype="ms-tnef", filename="winmail.dat")
    msg.add_attachment(b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE;PARTSTAT=DECLINED:mailto:a@b"
                       b".example.org\r\nUID:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", maintype="text", subtype="calendar",
                       filename="reply.ics")
    reading = read_message(msg.as_bytes())
    assert (reading.intent.value, reading.attendee_count) == ("decline", 0)  # type: ignore[union-attr]


# ---------------------------------------------------------------------- only the new text


@pytest.mark.parametrize("quote", [
    "On Mon, 18 Jan 2021 at 09:00, Registration <r@x.org> wrote:\n> We regret to inform you",
    "El lun, 18 ene 2021 a las 9:00, Registro <r@x.org>\nescribió:\n> Lamentamos no poder",
    "Le lun. 18 janv. 2021 à 09:00, Registration <r@x.org> a écrit :\n> Nous regrettons",
    "Em seg., 18 de jan. de 2021 às 09:00, Registro <r@x.org> escreveu:\n> Lamentamos",
    "-----Original Message-----\nFrom: Registration\nSent: Monday\nTo: Us\nSubject: Invitation\nWe cannot attend",
    "________________________________\nDe : Registration\nEnvoyé : lundi\nÀ : Nous\nObjet : Invitation\nregret",
    "De: Registro\nEnviado el: lunes\nPara: Nosotros\nAsunto: Invitación\nLamentamos",
    "De: Registro\nEnviada em: segunda-feira\nPara: Nós\nAssunto: Convite\nLamentamos",
    "发件人：Registration\n发送时间：2021年1月18日\n收件人：我们\n主题：Invitation\n无法出席",
    "Sent from my iPhone\n\n> On 18 Jan 2021, at 09:00, Registration wrote:\n> regret",
])
def test_quoted_history_is_removed_in_every_client_style(quote: str) -> None:
    assert new_text(f"We will attend.\n\n{quote}\n") == "We will attend."


def test_bottom_posted_and_inline_answers_are_kept() -> None:
    text = "> Kindly confirm your participation.\n\nWe will attend.\n\n> Which sessions?\n\nBoth.\n-- \nJane\nNGO"
    assert new_text(text) == "We will attend.\n\nBoth."


def test_a_legal_disclaimer_is_not_read() -> None:
    text = "We will attend.\n\nCONFIDENTIALITY NOTICE: this e-mail may not be attended to or used by others."
    assert new_text(text) == "We will attend."


# ---------------------------------------------------------------------- intent in seven languages


@pytest.mark.parametrize(("text", "intent"), [
    ("We are pleased to confirm our participation.", "accept"),
    ("Unfortunately we will not be able to attend.", "decline"),
    ("We would have been delighted to attend, but no one is available.", "decline"),
    ("We might join, subject to travel approval.", "tentative"),
    ("Will the sessions be interpreted?", "unclear"),
    ("Thank you for the invitation.", "unclear"),
    ("The Minister cannot attend but Ms Ana Ruiz will represent the Mission.", "accept"),
    ("Further to my acceptance, please cancel my registration.", "decline"),
    ("Confirmo mi asistencia.", "accept"),
    ("Lamentamos no poder participar.", "decline"),
    ("Je ne pourrai malheureusement pas participer.", "decline"),
    ("Je participerai volontiers.", "accept"),
    ("Infelizmente não poderemos comparecer.", "decline"),
    ("Confirmamos a participação.", "accept"),
    ("Подтверждаем участие.", "accept"),
    ("К сожалению, мы не сможем принять участие.", "decline"),
    ("يسرنا تأكيد مشاركتنا.", "accept"),
    ("نأسف لعدم تمكننا من الحضور.", "decline"),
    ("我们将出席会议。", "accept"),
    ("很抱歉，我无法参加。", "decline"),
])
def test_intent_in_every_language(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


def test_quick_answers_by_subject() -> None:
    assert read_message(mail("", subject="ACCEPT: Dialogue")).intent.value == "accept"  # type: ignore[union-attr]
    assert read_message(mail("", subject="Re: DECLINE")).intent.value == "decline"  # type: ignore[union-attr]
    assert read_message(mail("", subject="Maybe")).intent.value == "tentative"  # type: ignore[union-attr]


def test_delegation_names_sessions_and_counts(meeting: Meeting) -> None:
    reading = read_message(mail(
        "Dear colleagues,\n\nOur delegation for the second session only:\n\n- H.E. Ms. Ana Ruiz, Ambassador\n"
        "- Mr. Pablo Soto, Counsellor\n\nBest regards,\nMission"), meeting)
    # as written, with their functions
    assert reading.attendees == ("H.E. Ms. Ana Ruiz, Ambassador", "Mr. Pablo Soto, Counsellor")
    assert (reading.attendee_count, reading.sessions) == (2, ("day2",))


# ---------------------------------------------------------------------- automatic mail


@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "auto-replied"}, {"X-Autoreply": "yes"}, {"X-Autorespond": "1"},
    {"Precedence": "bulk"}, {"Return-Path": "<>"}, {"List-Unsubscribe": "<mailto:u@x.org>"},
])
def test_automatic_headers_mean_auto_reply_whatever_the_body_says(headers: dict[str, str]) -> None:
    reading = read_message(mail("We will attend both sessions.", headers=headers))
    assert (reading.kind.value, reading.intent) == ("auto_reply", None)


@pytest.mark.parametrize("subject", ["Out of Office: Invitation", "Respuesta automática: Invitación",
                                     "Réponse automatique : Invitation", "Resposta automática: Convite",
                                     "Автоответ: Приглашение", "自动回复: 邀请", "رد تلقائي: دعوة", "Read: Invitation",
                                     "Lu : Invitation"])
def test_out_of_office_and_read_receipts_by_subject(subject: str) -> None:
    assert read_message(mail("Body", subject=subject)).kind.value == "auto_reply"


@pytest.mark.parametrize("text", [
    "I am out of the office until 1 February with limited access to email.",
    "Я нахожусь в ежегодном отпуске с 1 по 19 февраля, доступ к электронной почте ограничен.",
    "Je suis actuellement en congé jusqu'au 19 février.",
    "Me encuentro actualmente de vacaciones hasta el 19 de febrero.",
    "Estou atualmente ausente, com acesso limitado ao correio.",
])
def test_an_out_of_office_body_without_headers_is_recognised(text: str) -> None:
    assert read_message(mail(text)).kind.value == "auto_reply"


@pytest.mark.parametrize("text", [
    "##- Please type your reply above this line -##\n\nYour request (#4521) has been received and is being reviewed.",
    "Se ha creado el ticket 0021456 a partir de su correo.\n\nEstado: Nuevo",
    "Ceci est un message automatique, merci de ne pas répondre.",
    "Esta é uma mensagem automática. Por favor, não responda a este e-mail.",
    "Ваше обращение № 4521 зарегистрировано. Это автоматическое сообщение.",
    "此邮件为系统自动发送，请勿回复。",
    "شكراً لتواصلكم مع وزارة الخارجية. هذه رسالة آلية، يرجى عدم الرد عليها.",
])
def test_a_text_that_says_a_machine_sent_it_is_an_auto_reply(text: str) -> None:
    assert read_message(mail(text)).kind.value == "auto_reply"


def test_an_answer_beside_a_do_not_reply_line_is_still_read() -> None:
    reading = read_message(mail("We will attend both sessions.\n\nThis is an automated message, please do not reply."))
    assert (reading.kind.value, reading.intent.value if reading.intent else None) == ("reply", "accept")


def _delivery_report(action: str, status: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.mission.example.org>\r\nTo: " + TO + "\r\n"
        "Subject: Delayed Mail (still being retried)\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. Your message could not be delivered"
        " yet; it will be retried.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.mission.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; slow@mission.example.org\r\nAction: {action}\r\nStatus: {status}\r\n"
        "--b--\r\n").encode()


def test_a_delay_warning_is_a_notice_and_a_failure_a_bounce() -> None:
    delayed = read_message(_delivery_report("delayed", "4.4.1"))
    failed = read_message(_delivery_report("failed", "5.1.1"))
    assert (delayed.kind.value, delayed.report, delayed.final_failure) == ("auto_reply", "delay", False)
    assert (failed.kind.value, failed.report, failed.failed_recipients) == (
        "bounce", "failure", ("slow@mission.example.org",))


def test_an_exchange_non_delivery_report_names_the_failed_recipient() -> None:
    reading = read_message(mail("Delivery has failed to these recipients or groups:\n\ngone@mission.example.org\n",
                                subject="Undeliverable: Invitation", sender="postmaster@mission.example.org"))
    assert (reading.kind.value, reading.failed_recipients) == ("bounce", ("gone@mission.example.org",))


def test_an_ses_bounce_notification_is_a_bounce_with_its_recipient() -> None:
    body = json.dumps({"notificationType": "Bounce", "bounce": {"bounceType": "Permanent", "bouncedRecipients": [
        {"emailAddress": "gone@mission.example.org"}]}})
    reading = read_message(mail(body, sender="no-reply@sns.amazonaws.com", subject="AWS Notification Message"))
    assert (reading.kind.value, reading.failed_recipients, reading.report) == (
        "bounce", ("gone@mission.example.org",), "failure")


# ---------------------------------------------------------------------- the command line


def test_rsvp_parse_prints_one_json_object_per_file() -> None:
    fixture = ROOT / "tests" / "fixtures" / "replies" / "es-solo-miercoles.eml"
    meeting = ROOT / "tests" / "fixtures" / "meetings" / "mine-free-americas-2021.yaml"
    out = subprocess.run([sys.executable, "-m", "rsvp.cli", "parse", "--meeting", str(meeting), str(fixture)],
                         capture_output=True, text=True, check=True).stdout
    [line] = out.splitlines()
    reading = json.loads(line)
    assert set(reading) >= {"file", "kind", "intent", "attendee_count", "attendees", "sessions", "language",
                            "confidence", "tag", "reasons"}
    assert (reading["intent"], reading["sessions"], reading["tag"]) == ("accept", ["day1"], "k3v9q2m7x8w4p6ta")


_ADDRESS_HEADERS = [
    "Ana Pérez <ana@x.org>", "ana@x.org", "a@x.org, Bo <b@y.org>", '"Pérez, Ana" <ana@x.org>', "Ana <ana@x.org> (work)",
    "undisclosed-recipients:;", "", "Ana Pérez ana@x.org", "<ana@x.org>", "bob", "Müller Hans <h.m@x.de>,  <c@d.e>",
    ", user@aol.com, other@app.com", "a@b.c,", "a@b.c <a@b.c>", "Name<a@b.c>", "Team: a@b.c, d@e.f;",
    "\\\"odd\\\" <a@b.c>", "a@b.c ,, d@e.f", "Ms X <x@[127.0.0.1]>", "李雷 <li@x.cn>", "Ивan <i@x.ru>",
]


@pytest.mark.parametrize("value", _ADDRESS_HEADERS)
def test_the_fast_address_parser_agrees_with_the_standard_one(value: str) -> None:
    from email.utils import getaddresses

    from rsvp.reading.mime import _addresses

    assert _addresses([value]) == getaddresses([value])


def test_the_fast_address_parser_agrees_on_every_header_of_the_fixtures() -> None:
    import email
    from email.utils import getaddresses

    from rsvp.reading.mime import _addresses, decode_text_header

    checked = 0
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*.eml")):
        message = email.message_from_bytes(path.read_bytes())
        for header in ("From", "To", "Cc", "Delivered-To"):
            values = [decode_text_header(v) for v in message.get_all(header, [])]
            assert _addresses(values) == getaddresses(values), f"{path.name} {header}: {values}"
            checked += bool(values)
    assert checked > 150


@pytest.mark.parametrize(("text", "intent"), [
    ("We would very much like to attend, provided that our travel funding is approved.", "tentative"),
    ("Asistiremos siempre y cuando se apruebe el presupuesto de viaje.", "tentative"),
    ("Nous participerons à condition que la réunion soit interprétée.", "tentative"),
    ("We will attend unless the session is postponed.", "accept"),  # an exception, not a condition
    ("We have not yet decided who will attend from the Mission.", "tentative"),
    ("Aún no tenemos confirmado quién participará por parte de la Misión.", "tentative"),
    ("Nous ne savons pas encore qui participera.", "tentative"),
    ("Ainda não definimos quem participará.", "tentative"),
    ("I would like to attend but I have a prior commitment.", "decline"),
    ("Me gustaría participar, pero tengo otro compromiso.", "decline"),
    ("We would like to attend the first session, but have a conflict with the second session.", "accept"),
])
def test_conditions_undecided_delegations_and_polite_clashes(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize("text", ["Neither I nor anyone from our office can join on 10 or 11 February.",
                                  "No podremos participar los días 10 y 11 de febrero.",
                                  "Nous ne pourrons pas participer les 10 et 11 février."])
def test_refusing_every_day_in_a_list_of_dates_is_a_refusal(text: str, meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert reading.intent is not None and reading.intent.value == "decline"
    assert reading.sessions is None


def _plain(text: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = "someone@mission.example.org"
    message["To"] = "registration@minefree-americas.example.org"
    message["Subject"] = "RE: Invitation"
    message.set_content(text)
    return message.as_bytes()


@pytest.mark.parametrize(("text", "intent"), [
    ("I'm afraid nobody from our organisation is available on those dates.", "decline"),
    ("Nadie de la Misión podrá asistir.", "decline"),
    ("Personne de notre bureau ne pourra participer.", "decline"),
    ("Can't wait to join you all!", "accept"),
    ("I will most likely attend the first day, but will confirm next week.", "tentative"),
    ("We are interested in participating. Could you tell us whether remote participation is possible?", "tentative"),
    ("Will the sessions be recorded? If so I may watch later instead.", "unclear"),  # a modal about watching
    ("Je vous remercie pour cette invitation, à laquelle je ne pourrai malheureusement pas donner suite.", "decline"),
    ("We are pleased to accept your kind invitation.", "accept"),
    ("Regrettably we cannot accept the invitation this time.", "decline"),
])
def test_nobody_available_eagerness_likelihood_interest_and_answers_to_the_invitation(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "sessions"), [
    ("Can't wait to join you on the 10th only.", ["day1"]),
    ("我确认将出席2月10日的会议。", ["day1"]),
    ("Буду участвовать только 11 февраля.", ["day2"]),
    ("سأشارك فقط يوم 11 فبراير.", ["day2"]),
])
def test_dates_in_every_script_choose_sessions(text: str, sessions: list[str], meeting: Meeting) -> None:
    assert list(read_message(_plain(text), meeting).sessions or []) == sessions


@pytest.mark.parametrize(("text", "intent"), [
    ("Our Mission would have been happy to attend, but the invitation reached us too late.", "decline"),
    ("Not this time, thanks.", "decline"),
    ("Por ahora no podemos confirmar nuestra asistencia.", "tentative"),
    ("Nous ne pouvons pas encore confirmer notre participation.", "tentative"),
])
def test_polite_regrets_and_answers_not_yet_given(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


def test_a_writer_speaking_for_someone_else_is_not_counted(meeting: Meeting) -> None:
    reading = read_message(_plain("Hi, I am replying on behalf of Ambassador Lopez, who will be attending in person."),
                           meeting)
    assert reading.attendees == ("Ambassador Lopez",) and reading.attendee_count == 1


@pytest.mark.parametrize(("text", "language"), [("Oui, avec plaisir.", "fr"), ("Sí, gracias.", "es"),
                                                ("Sim, obrigado.", "pt"), ("Yes, thanks.", "en")])
def test_a_very_short_answer_is_read_in_its_own_language(text: str, language: str, meeting: Meeting) -> None:
    assert read_message(_plain(text), meeting).language == language


@pytest.mark.parametrize(("text", "intent"), [
    ("RSVP: yes, 2 people.", "accept"),
    ("RSVP: regrets", "decline"),  # a field that takes an answer: its value must say yes or no
    ("Attendance: TBC", "tentative"),
    ("RSVP: see the attached note", "unclear"),
    ("RSVP: 993-8586", "unclear"),  # a phone number, not a count
    ("¡Me sumo con gusto!", "accept"),
])
def test_answer_fields_and_joining_in(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "sessions"), [
    ("I'm double-booked on the 10th, so I'll only make the 11th.", ["day2"]),
    ("Is the second session movable? Otherwise I can only attend the first.", ["day1"]),
    ("يسعدنا المشاركة في الجلسة الأولى فقط.", ["day1"]),
    ("Примем участие только во втором заседании.", ["day2"]),
])
def test_the_scope_of_only_and_ordinals_in_every_script(text: str, sessions: list[str], meeting: Meeting) -> None:
    assert list(read_message(_plain(text), meeting).sessions or []) == sessions


@pytest.mark.parametrize(("text", "intent"), [
    ("Thank you for confirming my registration.", "unclear"),  # the desk's confirmation, thanked
    ("Yes, we received it. Thanks.", "unclear"),  # a yes about the mail
    ("My colleague will not attend, but I will.", "accept"),
    ("Mi colega no asistirá, pero yo sí.", "accept"),
    ("We cannot attend in person but look forward to joining online.", "accept"),
    ("The Ambassador will not attend.", "decline"),
])
def test_acknowledgements_ellipses_and_ways_of_attending(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "intent"), [
    ("Je ne pourrai pas venir en personne, mais je suivrai la réunion en ligne.", "accept"),
    ("Лично приехать не сможем, но подключимся онлайн.", "accept"),
    ("我们无法现场出席，但将通过线上方式参加。", "accept"),
    ("لن نتمكن من الحضور شخصيا، لكننا سنشارك عبر الإنترنت.", "accept"),
    ("Mon collègue ne pourra pas participer, mais moi oui.", "accept"),
    ("No solo asistiré yo: también vendrá la Sra. Rosa Díaz.", "accept"),
    ("لن نتمكن من الحضور، لكننا نشكركم على الدعوة.", "decline"),  # "but we thank you": still a refusal
])
def test_other_ways_of_attending_and_not_only_in_every_language(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "count", "attendees"), [
    ("I will attend, together with Ms. Ana Torres, Minister Counsellor.", 2, ["Ms. Ana Torres, Minister Counsellor"]),
    ("I am pleased to confirm that Mr. David Chen will represent our organisation.", 1, ["Mr. David Chen"]),
    ("We will be two. Names to be communicated shortly.", 2, []),
    ("Please register Ms. Hanna Berg instead of Mr. Lars Berg.", 1, ["Ms. Hanna Berg"]),
    ("We are pleased to confirm that 12 delegates will attend.", 12, []),  # two digits, not the last one
    ("我国代表团共12人出席会议。", 12, []),
    # a Russian function before a name is its title; "Таджикского центра" (an adjective, a body) is no name
    ("Примут участие Постоянный представитель А.В. Морозов и советник Е.И. Лебедева.", 2,
     ["Постоянный представитель А.В. Морозов", "советник Е.И. Лебедева"]),
    ("В совещании примет участие эксперт Таджикского национального центра г-н Рустам Назаров.", 1,
     ["г-н Рустам Назаров"]),
    # the same person named again by surname, or in Latin letters in brackets, is one person
    ("Примет участие советник Т.А. Григорян. Уточнение: г-н Григорян сможет участвовать только в первой сессии.", 1,
     ["советник Т.А. Григорян"]),
    ("يسرنا إبلاغكم بأن السيد كريم بن صالح (Mr. Karim Bensalah) سيمثل البعثة.\n\nعلماً بأن السيد بن صالح لا يحمل"
     " بطاقة دخول.", 1, ["السيد كريم بن صالح"]),
    # Chinese names with their titles after 由, 、, 和, an office's name or 同事
    ("我团将出席会议。代表团由邵文涛大使、孙海燕参赞和吴振宇一等秘书组成。", 3,
     ["邵文涛大使", "孙海燕参赞", "吴振宇一等秘书"]),
    ("我方拟由外交部军控司何静处长和国防部维和事务办公室周海军大校出席。", 2, ["何静处长", "周海军大校"]),
    # Spanish ranks in several abbreviated words; a function line is nobody
    ("Participarán:\n\nCap. Nav. Jorge Iván Salcido Ortega\nAgregado Naval Adjunto\n\nGral. Brig. (SP) Wilson "
     "Chiriboga Torres", 2, ["Cap. Nav. Jorge Iván Salcido Ortega", "Gral. Brig. (SP) Wilson Chiriboga Torres"]),
    # a form's name field filled in, with the function after it; a Russian function kept, up to the next person
    ("Confirmo.\n\nParticipante: Marina Costa, Coordenadora de Programas", 1,
     ["Marina Costa, Coordenadora de Programas"]),
    ("Примут участие г-н К.А. Лебедев, первый секретарь, и г-жа Н.П. Зайцева, атташе.", 2,
     ["г-н К.А. Лебедев, первый секретарь", "г-жа Н.П. Зайцева, атташе"]),
    # Chinese: more titles after the name (主任, 副研究员) and before it (副秘书长); "X女士您好：" addresses X
    ("补充一下：除陈立新主任外，王晓梅副研究员也将出席本次会议，请一并登记。", 2, ["陈立新主任", "王晓梅副研究员"]),
    ("鲁伊斯女士您好：\n\n我们将派员出席，届时将由我会副秘书长王海峰出席。", 1, ["副秘书长王海峰"]),
    # the one written to is nobody: a greeting, or a first line that only addresses someone
    ("Уважаемая г-жа Руис,\n\nСообщаем, что в Диалоге примет участие полковник А.В. Морозов.", 1,
     ["полковник А.В. Морозов"]),
    ("Madame Ruiz,\n\nM. Marc Vandenbroucke participera aux deux séances.", 1, ["M. Marc Vandenbroucke"]),
    # a Russian genitive body after a function is no name; a Spanish rank of three words
    ("Примут участие г-жа Е.А. Смирнова, первый секретарь Управления международной безопасности, и г-н Д.О. Лебедев.",
     2, ["г-жа Е.А. Смирнова, первый секретарь Управления международной безопасности", "г-н Д.О. Лебедев"]),
    ("Participarán:\n\n- General de Brigada (r) Luis Cárdenas Vega, Director Ejecutivo\n- Dra. Silvia Huamán Ríos", 2,
     ["General de Brigada (r) Luis Cárdenas Vega, Director Ejecutivo", "Dra. Silvia Huamán Ríos"]),
    # a greeting is nobody; a title before a Chinese name is not part of it
    ("尊敬的女士/先生：\n\n我团拟派一等秘书张敏女士出席2月11日的第二场会议。", 1, ["张敏女士"]),
])
def test_who_is_counted(text: str, count: int, attendees: list[str], meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert (reading.attendee_count, list(reading.attendees)) == (count, attendees)


@pytest.mark.parametrize(("text", "count", "attendees"), [
    # a thank-you sentence is no closing: the writer who signs after "Best," is the colleague's companion
    ("Thanks for the invitation. My colleague and I would like to join.\n\nMy colleague is Dr. Amina Yusuf."
     "\n\nBest,\nJulia Brennan", 2, ["Dr. Amina Yusuf", "Julia Brennan"]),
    ("Count us in - we’ll be three: me, Tom Becker and Priya Nair.", 3, ["Tom Becker", "Priya Nair", "Julia Brennan"]),
    ("I will attend with two colleagues (names to follow).", 3, []),
    ("Asistiré junto con dos colegas; los nombres seguirán.", 3, []),
    ("Я приму участие вместе с двумя коллегами.", 3, []),
    # "a.i." is no "I": the writer who signs is not coming
    ("The Chargé d'affaires a.i., Mr. Tomas Lindqvist, will lead the delegation. He will be accompanied by Ms. Freya"
     " Holm.\n\nBest regards\nKarin Ek", 2, ["Mr. Tomas Lindqvist", "Ms. Freya Holm"]),
    # Portuguese "dos" is "of the", never two
    ("Seguem os dados dos participantes:\n\nDra. Teresa Vasconcelos – Diretora\nEng. Paulo Matos – Coordenador\n"
     "Sra. Luísa Fonseca – Assistente\n\nObrigada,\nLuísa", 3,
     ["Dra. Teresa Vasconcelos", "Eng. Paulo Matos", "Sra. Luísa Fonseca"]),
    # a function on its own line under a name is nobody
    ("Confirmamos la asistencia de:\n\nEmbajadora Laura Giménez\nRepresentante Permanente Alterna\n\n"
     "Sr. Tomás Aguirre\nSecretario de Embajada", 2, ["Embajadora Laura Giménez", "Sr. Tomás Aguirre"]),
    # the writer names themselves in brackets after "myself"
    ("We will attend, two of us: myself (Laura Benítez, Country Director) for both sessions, and Mr. Tomás Quishpe.",
     2, ["Laura Benítez", "Mr. Tomás Quishpe"]),
    ("Participaremos duas pessoas: eu (Marta Duarte) e o Sr. Rui Lopes.", 2, ["Marta Duarte", "Sr. Rui Lopes"]),
    # the writer instructed to confirm someone else's attendance does not come
    ("Encarrega-me o Senhor Embaixador de confirmar a participação do Embaixador João Pedro Valadares.", 1,
     ["Embaixador João Pedro Valadares"]),
])
def test_the_writer_and_the_companions_they_count(text: str, count: int, attendees: list[str],
                                                  meeting: Meeting) -> None:
    reading = read_message(mail(text, sender="Julia Brennan <jb@ngo.example.org>"), meeting)
    assert (reading.attendee_count, list(reading.attendees)) == (count, attendees)


def test_an_inline_yes_answers_only_an_attendance_question(meeting: Meeting) -> None:
    attendance = _plain("Hi,\n\n> Will you attend the Dialogue?\nYes.\n\n> Sessions:\nBoth.\n\nMaria")
    visa = _plain("Hi,\n\n> Do you need a visa support letter?\nYes.\n\nMaria")
    assert read_message(attendance, meeting).intent is not None
    assert read_message(attendance, meeting).intent.value == "accept"  # type: ignore[union-attr]
    assert read_message(visa, meeting).intent.value == "unclear"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "intent", "count"), [
    ("Thanks - I'll check with the Ambassador and come back to you.", "tentative", None),
    ("Further to my message, my colleague Dr. Lina Haddad will join me.", "accept", 2),
])
def test_coming_back_is_not_coming_and_joining_me_counts_me(text: str, intent: str, count: int | None,
                                                            meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert (reading.intent.value if reading.intent else None, reading.attendee_count) == (intent, count)


@pytest.mark.parametrize(("text", "intent"), [
    ("目前尚无法确认是否出席。", "tentative"),
    ("لم نتمكن بعد من تأكيد مشاركتنا.", "tentative"),
    ("I would like to register two colleagues: Mr. Adam Brown and Ms. Clara Diaz.", "accept"),
    ("Quisiera saber si habrá interpretación al español.", "unclear"),  # a wish verb asking a question
    ("J'aimerais savoir s'il y aura une interprétation en français.", "unclear"),
])
def test_not_yet_confirmed_in_chinese_and_arabic_and_wishes_that_ask(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


def test_arabic_names_joined_by_and_are_two_people(meeting: Meeting) -> None:
    reading = read_message(_plain("نود أن نؤكد مشاركة السيد أحمد علي والسيدة فاطمة حسن."), meeting)
    assert reading.attendees == ("السيد أحمد علي", "السيدة فاطمة حسن") and reading.attendee_count == 2


@pytest.mark.parametrize(("text", "attendees"), [
    ("请为我馆王立新参赞登记出席3月2日会议。", ["王立新参赞"]),  # after the mission's own word, before 登记
    ("我团张伟参赞将出席本次会议。", ["张伟参赞"]),
])
def test_a_chinese_name_after_the_mission_and_before_registering(text: str, attendees: list[str],
                                                                 meeting: Meeting) -> None:
    assert list(read_message(_plain(text), meeting).attendees) == attendees


def test_a_chinese_name_after_by_and_the_writer_in_person() -> None:
    reading = read_message(mail("2月10日由林峰先生参加，2月11日由我本人参加。\n\n马晓雯",
                                sender="马晓雯 <ma@mfa.example.cn>"))
    assert (reading.attendee_count, list(reading.attendees)) == (2, ["林峰先生", "马晓雯"])


@pytest.mark.parametrize(("text", "intent"), [
    ("Não vejo a hora de participar!", "accept"),
    ("Обязательно будем!", "accept"),
    ("С удовольствием бы приняли участие, но, к сожалению, у нас другое мероприятие.", "decline"),
    ("很想参加，但那几天要出差。", "decline"),
    ("Министр не сможет принять участие; делегацию возглавит советник Иванов.", "accept"),
    ("大使无法出席，由参赞李明代表出席。", "accept"),
    ("لن يتمكن الوزير من الحضور، وسيمثل البعثة المستشار خالد عمر.", "accept"),
])
def test_the_traps_in_portuguese_russian_chinese_and_arabic(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "intent"), [
    ("Me encantaría participar, pero estaré de viaje esos días.", "decline"),  # a wish, then away those days
    ("Pas sûr de pouvoir me libérer, je vous redis.", "tentative"),
    ("Sadly not this time.", "decline"),
    ("I have already registered through the online portal.", "accept"),
    ("I have not registered yet.", "unclear"),
    ("Não deixarei de participar.", "accept"),
    ("Participar.", "unclear"),  # a correct word is never "repaired" into a commitment
])
def test_wishes_away_bare_regrets_and_registrations_elsewhere(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "count"), [
    ("The Permanent Mission has the honour to transmit the composition of its delegation:\n\n"
     "Ms. Jane Whitfield, Counsellor\nMr. Omar Siddiqui, Second Secretary", 2),
    ("وتتشرف بإبلاغها بأن وفد الأردن سيتألف من:\n\n- السيد عمر الخطيب، مستشار\n- السيدة ليلى حداد، سكرتير أول", 2),
    ("中方代表团将由以下人员组成：\n\n王强参赞\n李华三秘", 2),
])
def test_a_note_verbale_naming_the_delegation_is_an_acceptance(text: str, count: int, meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert reading.intent is not None and reading.intent.value == "accept" and reading.attendee_count == count


@pytest.mark.parametrize(("text", "intent"), [
    ("No contamos con nadie disponible para conectarse. Esperamos poder sumarnos en una próxima ocasión.", "decline"),
    ("We cannot attend this year. We very much hope to join you on a future occasion.", "decline"),
    ("Nous ne pourrons pas être présents; nous espérons participer une prochaine fois.", "decline"),
    ("Me hubiera encantado acompañarles en una ocasión tan significativa.", "decline"),  # this occasion
])
def test_a_hope_for_another_occasion_answers_nothing(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "per_person"), [
    # every session, in words of the languages that had none
    ("现将我馆参会人员信息报送如下：\n\n姓名\t职务\t场次\n黄志强\t处长\t两场均参加\n吴敏\t一等秘书\t仅第一场\n",
     {"黄志强": ["day1", "day2"], "吴敏": ["day1"]}),
    ("Примут участие:\nг-н Иван Петров - в обеих сессиях;\nг-жа Анна Смирнова - только 11 февраля.",
     {"г-н Иван Петров": ["day1", "day2"], "г-жа Анна Смирнова": ["day2"]}),
])
def test_every_session_person_by_person(text: str, per_person: dict[str, list[str]], meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert {name: list(ids) for name, ids in reading.attendee_sessions} == per_person


@pytest.mark.parametrize(("text", "intent", "sessions"), [
    # the restriction stands in a clause that answers nothing, the answer in one that names no session
    ("Wednesday only for me, I'm afraid - I teach on Thursday mornings. Happy to be registered for that one.",
     "accept", ["day1"]),
    # on a hedged answer
    ("Tentativamente asistiríamos la Dra. Rocío Benítez y yo, probablemente solo el miércoles 10, pero dependemos de "
     "la agenda del Ministerio.", "tentative", ["day1"]),
    ("Предварительно - два участника, скорее всего только в первой сессии (10 февраля).", "tentative", ["day1"]),
    # a session named in what the answer depends on is not chosen
    ("Tal vez me conecte el jueves, depende de cómo salga la reunión del miércoles. Te aviso.", "tentative", ["day2"]),
    # connecting is attending, in the forms a sentence puts it
    ("Confirmo la participación de la Dra. Lucía Paredes en ambas sesiones.\nCorrijo: el jueves 11 tiene Consejo de "
     "Ministros, por lo que solo podrá conectarse el miércoles 10.", "accept", ["day1"]),
    ("Aucun membre de la délégation ne pourra se connecter le 10, mais M. Paul Roy participera le 11.", "accept",
     ["day2"]),
    # "just" is no restriction when the answer names its session itself
    ("I will attend both sessions.\n\nApologies - I have just checked my calendar: I am chairing a board meeting on "
     "Thursday the 11th, so please register me for the first session only.", "accept", ["day1"]),
    # a hedge that itself puts someone down carries its sessions
    ("Pencil us in for Wednesday. I'll confirm names Monday.", "tentative", ["day1"]),
    ("Tentativamente, dos participantes el jueves 11. Confirmaremos más adelante.", "tentative", ["day2"]),
    ("Предварительно - два участника, 11 февраля.", "tentative", ["day2"]),
])
def test_a_restriction_to_sessions_wherever_it_stands(text: str, intent: str, sessions: list[str],
                                                       meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert (reading.intent.value if reading.intent else None, list(reading.sessions or [])) == (intent, sessions)


@pytest.mark.parametrize(("text", "intent", "sessions", "count"), [
    ("Podré estar el miércoles, pero el jueves no.", "accept", ["day1"], 1),
    ("Asistiremos tres colegas a la segunda sesión.", "accept", ["day2"], 3),
    ("Solo podremos asistir a una de las dos sesiones; les confirmo cuál.", "tentative", [], None),
    ("I can attend either session - please tell me which one you prefer.", "tentative", [], 1),
])
def test_which_session_and_how_many(text: str, intent: str, sessions: list[str], count: int | None,
                                    meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert (reading.intent.value if reading.intent else None, list(reading.sessions or []), reading.attendee_count) == (
        intent, sessions, count)


@pytest.mark.parametrize("text", ["Wednesday yes, Thursday no.", "Miércoles sí, jueves no.", "Mercredi oui, jeudi non.",
                                  "First session yes, second no.", "The 10th: yes. The 11th: no.",
                                  "Podré estar el miércoles, pero el jueves no."])
def test_yes_and_no_per_session(text: str, meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert reading.intent is not None and reading.intent.value == "accept" and reading.sessions == ("day1",)


@pytest.mark.parametrize(("text", "intent"), [
    ("I'll send my colleague the link.", "unclear"),  # sending something, not someone in one's place
    ("I will send my deputy to attend.", "accept"),
    ("Merci, je suis intéressé par les réunions à venir.", "unclear"),  # "à venir" is "upcoming"
    ("Je ne pense pas pouvoir venir, désolé.", "decline"),
    ("We regret that we cannot attend.", "decline"),
    ("We regret that we can attend only the first session.", "accept"),
    ("Happy to confirm!", "accept"),
    ("Nothing would please me more than to attend.", "accept"),
    ("We are not able to confirm at this stage.", "tentative"),
])
def test_sending_someone_regrets_about_a_limit_and_emphatic_yeses(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


def test_a_deputy_sent_instead_is_the_one_counted(meeting: Meeting) -> None:
    text = "I won't be able to attend in person, so I'll send my deputy, Ms. Ana Ruiz."
    reading = read_message(_plain(text), meeting)
    assert reading.intent is not None and reading.intent.value == "accept"
    assert (reading.attendees, reading.attendee_count) == (("Ms. Ana Ruiz",), 1)


def _from(name: str, text: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = f'"{name}" <writer@mission.example.org>'
    message["To"] = "registration@minefree-americas.example.org"
    message["Subject"] = "RE: Invitation"
    message.set_content(text)
    return message.as_bytes()


@pytest.mark.parametrize(("name", "text", "count", "attendees"), [
    ("Kwame Mensah", "Depends on whether I get approval to take the time - will confirm by Friday.", 1,
     ("Kwame Mensah",)),
    ("Елена Кузнецова", "Скорее всего, подключусь только ко второй сессии. Точно скажу в понедельник.", 1,
     ("Елена Кузнецова",)),
    ("LEFEBVRE Arnaud (EEAS-WASHINGTON)", "Je devrais pouvoir suivre la première séance, mais cela dépendra de "
     "l'agenda du Chef de délégation.", 1, ("Arnaud Lefebvre",)),
    # "we": who would come is not said, whoever writes
    ("Kwame Mensah", "We may join, depending on the Minister's agenda; names to follow.", None, ()),
    ("Diego Paz", "En principio participaríamos, pero los nombres están por confirmar.", None, ()),
    ("王芳", "我们可能参加，具体人员待定。", None, ()),
    ("Permanent Mission of Chile", "Probably yes, to be confirmed next week.", None, ()),  # not a person
    # a number the hedge gives is the count it would be
    ("Marc Lefèvre", "Nous serons vraisemblablement deux, sans doute le mercredi 10. Je vous le confirme vendredi.",
     2, ()),
    ("Kwame Mensah", "We will probably be three; names to follow once approved.", 3, ()),
    ("Diego Paz", "Seremos probablemente dos personas; los nombres están todavía por confirmar.", 2, ()),
    ("سارة", "على الأرجح سنشارك في الجلسة الأولى فقط، بمشارك واحد لم يحدد اسمه بعد.", 1, ()),
])
def test_a_person_hedging_alone_would_come_alone(name: str, text: str, count: int | None,
                                                 attendees: tuple[str, ...], meeting: Meeting) -> None:
    reading = read_message(_from(name, text), meeting)
    assert reading.intent is not None and reading.intent.value == "tentative"
    assert (reading.attendee_count, reading.attendees) == (count, attendees)


@pytest.mark.parametrize("text", [
    "We should be able to attend the first session.", "Deberíamos poder participar en la primera sesión.",
    "Je devrais pouvoir suivre la première séance.", "Devo conseguir participar da primeira sessão.",
    "Я должен успеть подключиться к первой сессии.", "我应该可以参加第一场会议。",
    "من المفترض أن أتمكن من المشاركة في الجلسة الأولى.",
])
def test_should_be_able_to_is_a_hedge_not_a_commitment(text: str) -> None:
    assert read_intent(text).intent.value == "tentative"


@pytest.mark.parametrize(("display", "person"), [
    ("LEFEBVRE Arnaud (EEAS-WASHINGTON)", "Arnaud Lefebvre"), ("Holloway, Margaret -UNIT-", "Margaret Holloway"),
    ("Tremblay, Sophie -GENEVA -PRMNY", "Sophie Tremblay"), ("Quesada Solís, Mariela", "Mariela Quesada Solís"),
    ("DE LA CRUZ Maria Elena", "Maria Elena De La Cruz"), ("Ana Pérez", "Ana Pérez"),
    ("UN Registration", "UN Registration"), ("Елена Кузнецова", "Елена Кузнецова"),
])
def test_a_directory_display_name_is_read_given_name_first(display: str, person: str) -> None:
    assert person_display(display) == person


def test_format_flowed_text_is_read_as_its_writer_wrote_it() -> None:
    """RFC 3676: a line ending in a space goes on in the next (a table row wrapped by Thunderbird stays one row)."""
    body = ("Name\tTitle\tE-mail\r\nMr. Bakyt Djumabaev\tPermanent Representative, Ambassador \r\n"
            "Extraordinary and Plenipotentiary\tb.d@mfa.example.org\r\n >From the capital: Ms. Aigul Asanbekova"
            "\r\n> quoted and \r\n> flowed\r\n-- \r\nA.T.\r\n")
    raw = ("From: a@mfa.example.org\r\nTo: registration@minefree-americas.example.org\r\nSubject: Re: Invitation\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n" + body).encode()
    assert parse_message(raw).text.split("\n") == [
        "Name\tTitle\tE-mail",
        "Mr. Bakyt Djumabaev\tPermanent Representative, Ambassador Extraordinary and Plenipotentiary"
        "\tb.d@mfa.example.org",
        ">From the capital: Ms. Aigul Asanbekova", "> quoted and flowed", "-- ", "A.T.", ""]
    delsp = raw.replace(b"format=flowed", b"format=flowed; delsp=yes")
    assert "AmbassadorExtraordinary" in parse_message(delsp).text
    assert "Ambassador \n" in parse_message(raw.replace(b"; format=flowed", b"")).text.replace("\r", "")


def test_a_table_is_read_by_its_name_column_even_with_rows_apart(meeting: Meeting) -> None:
    text = ("Please find our delegation below:\n\nName\tTitle\tNotes\n\nH.E. Ms. Amina Benali\tMilitary Attaché\t-\n\n"
            "Mr. Karim Tazi\tMinister Counsellor\tneeds a pass\n\nCol. Rachid Idrissi\tMilitary Attaché\t-\n\n"
            "We will attend the first session.")
    reading = read_message(_plain(text), meeting)
    assert reading.attendees == ("H.E. Ms. Amina Benali", "Mr. Karim Tazi", "Col. Rachid Idrissi")
    assert reading.attendee_count == 3


@pytest.mark.parametrize(("text", "intent"), [
    # no obstacle is no refusal
    ("We see no obstacle to our participation and will attend both sessions.", "accept"),
    ("Со своей стороны никаких препятствий для нашего участия не видим: в обеих сессиях примут участие два сотрудника.",
     "accept"),
    ("Guatemala no puede dejar de estar presente en este foro.", "accept"),
    ("M. Koffi Aka N'Guessan ne pourra finalement pas prendre part à la Conférence.", "decline"),
    # thanks for the invitation to take part is not taking part ("да" is no word inside "Благодарим")
    ("Благодарим за приглашение принять участие в Региональном диалоге.", "unclear"),
    # asked without a question mark, before any decision
    ("Before a decision is taken on our participation, could you kindly advise:\n"
     "1. Whether interpretation will be available throughout both sessions; and\n"
     "2. Whether delegations may register more than one participant", "unclear"),
    ("目前尚无法确认是否出席。", "tentative"),  # not knowing whether: not a question to anyone, not a refusal
    # a yes held back by a condition on attending, or by a later word on it
    ("Yes, count us in - as long as the platform is one that our security rules allow us to use.", "tentative"),
    ("يسرني تأكيد مشاركتي في الجلسة الأولى. عذراً، أرجو اعتبار مشاركتي غير مؤكدة حتى إشعار آخر.", "tentative"),
    ("Yes, we will attend. The names of our delegates will follow.", "accept"),  # pending details hold nothing back
    # accompanying someone else elsewhere is no attendance
    ("Nuestro equipo estará dedicado a acompañar a la Vicecanciller durante su visita.", "unclear"),
])
def test_obstacles_denied_invitations_thanked_questions_unmarked_and_yeses_held_back(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "intent"), [
    ("2 March falls in the opening week of the Council and the whole team will be tied up from morning to night. "
     "We will be following the pledges with great interest and wish you every success.", "decline"),
    ("Las fechas coinciden con la visita de la Vicecanciller. Les deseamos una jornada muy fructífera.", "decline"),
    ("Les 10 et 11 février coïncident malheureusement avec notre séminaire. Nous suivrons néanmoins avec grand "
     "intérêt les conclusions.", "decline"),
    ("К сожалению, на 2 марта у нас запланирован приезд делегации, и все сотрудники будут задействованы в её "
     "программе. Желаем успешного проведения Конференции.", "decline"),
    ("С удовольствием подключился бы, но всю неделю я в поле.", "decline"),
    # good wishes alone, or a clash with an answer, are read as they are
    ("We wish you every success!", "unclear"),
    ("The dates coincide with our board meeting, but we will attend the second session.", "accept"),
    ("The dates coincide with our board meeting; could the session be moved?", "unclear"),
])
def test_a_clash_with_regrets_or_good_wishes_and_no_answer_is_a_regret(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


def test_a_declined_calendar_button_naming_who_goes_instead_is_the_missions_acceptance(meeting: Meeting) -> None:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = '"Paul-Henri Ndong" <ph@mission.example.org>', TO, "Refusé : Dialogue"
    msg.set_content("Je serai malheureusement en mission à cette date. Mme Claire Nkoulou, Conseillère, me remplacera "
                    "et représentera la Mission.")
    title = next(iter(meeting.title.values()))
    msg.add_attachment(("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nATTENDEE;PARTSTAT=DECLINED:mailto:ph@missi"
                        f"on.example.org\r\nUID:1\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode(),
                       maintype="text", subtype="calendar", filename="reply.ics")
    reading = read_message(msg.as_bytes(), meeting)
    assert reading.intent is not None and reading.intent.value == "accept"
    assert reading.attendee_count == 1 and reading.attendees[0].startswith("Mme Claire Nkoulou")


@pytest.mark.parametrize("text", [
    "К сожалению, планы изменились: присутствовать на конференции не смогу. Заменить меня, увы, некому.",
    "Unfortunately I cannot attend, and there is no one to replace me.",
    "Lamentablemente no podré asistir y no hay nadie que me reemplace.",
])
def test_nobody_going_instead_is_no_replacement(text: str) -> None:
    assert read_intent(text).intent.value == "decline"


@pytest.mark.parametrize(("text", "intent"), [
    # a day named by its number on which the meeting has no session: the writer is asked, not registered
    ("Hello, please register me for the session on Friday 12 February. Thanks", "unclear"),
    ("Bom dia! Confirmo presença na terça-feira, dia 9.", "unclear"),
    # …but the reply deadline, a date of something else beside every session, and a session's own day are fine
    ("We will attend both sessions; I will send the names by 8 February.", "accept"),
    ("El viaje se ha postergado al 15 de febrero, así que sí podré conectarme a ambas sesiones.", "accept"),
    ("Confirmo presença no dia 10.", "accept"),
    # a hedged yes
    ("Probably yes.", "tentative"),
    ("Probablemente sí.", "tentative"),
    ("Скорее всего да.", "tentative"),
    # one session refused, the other only hoped for or hedged
    ("El miércoles seguro que no puedo. El jueves probablemente sí, pero depende de una reunión.", "tentative"),
    ("周三那一场我确实参加不了。周四的第二场应该可以，但还要看馆领导的安排。", "tentative"),
    ("We cannot join on Wednesday. On Thursday we will attend, subject to the Minister's approval.", "tentative"),
    ("We cannot join on Wednesday. On Thursday we will attend.", "accept"),
    # Chinese: a refusal by the verb's own ending (参加不了), and questions before choosing who comes
    ("我们参加不了这次会议。", "decline"),
    ("在确定参会人员之前，想请教：第二场是否提供中文同传？", "unclear"),
    # French: neither one session nor the other
    ("Le Luxembourg ne pourra être représenté ni à la séance du 10 février ni à celle du 11.", "decline"),
])
def test_days_without_a_session_hedged_yeses_and_sessions_refused_beside_a_hedge(text: str, intent: str,
                                                                                  meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert reading.intent is not None and reading.intent.value == intent


@pytest.mark.parametrize(("text", "sessions"), [
    # all sessions except some: the others, in every language, by ordinal or by day
    ("My colleague and I will be with you for all sessions except the first.", ["day2"]),
    ("Asistiremos a todas las sesiones menos la primera.", ["day2"]),
    ("Прошу зарегистрировать меня на все сессии, кроме первой.", ["day2"]),
    ("ستشارك زميلتي\nفي جميع جلسات الحوار باستثناء جلسة يوم الخميس 11 فبراير.", ["day1"]),
    ("I will attend both sessions, except the last hour of the second.", None),  # a part of a session is no session
    ("Asistiremos al menos a la primera sesión, y seguramente a ambas.", None),  # "al menos": at least
    # "but not": what follows is refused, not chosen
    ("I will attend the 10th but not the 11th.", ["day1"]),
    ("Asistiré el 10 pero no el 11.", ["day1"]),
    ("Je participerai le 10 mais pas le 11.", ["day1"]),
    # a correction of the sessions: the last word counts
    ("I would like to register for the session on the 10th.\n\nCorrection: the 11th, not the 10th. So Thursday "
     "only, please.", ["day2"]),
    ("Confirmo que participarán el día 11 de febrero.\n\nCORRECCIÓN: disculpen, la fecha correcta es el miércoles 10"
     " de febrero, no el 11.", ["day1"]),
])
def test_all_but_some_sessions_and_corrections_of_them(text: str, sessions: list[str] | None,
                                                      meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert reading.intent is not None and reading.intent.value == "accept"
    assert (list(reading.sessions) if reading.sessions else None) == sessions


@pytest.mark.parametrize(("text", "intent", "sessions"), [
    # a hedged yes names the session it would be
    ("周三那一场我参加不了。周四的第二场应该可以，但还要看馆领导的安排。", "tentative", ["day2"]),
    ("Thursday probably yes; I will confirm on Monday.", "tentative", ["day2"]),
    ("A Conselheira Ana Lemos deverá, provavelmente, acompanhar a primeira sessão, caso não seja convocada.",
     "tentative", ["day1"]),
    # the same day written beside every person restricts the delegation to it
    ("Encaminho a relação dos participantes:\n\n- Cel. Marcelo Lins – Chefe – dia 10\n- Maj. Renata Brandão – "
     "Adjunta – dia 10\n", "accept", ["day1"]),
])
def test_sessions_of_a_hedged_yes_and_of_every_person(text: str, intent: str, sessions: list[str],
                                                      meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert reading.intent is not None and reading.intent.value == intent
    assert list(reading.sessions or ()) == sessions


@pytest.mark.parametrize(("text", "sessions"), [
    # registering oneself is an acceptance
    ("Buen día. Me inscribo para la sesión del miércoles.", ["day1"]),
    ("Gostaria de me inscrever na sessão de quarta, às 11h de Brasília. Na quinta tenho reunião.", ["day1"]),
    ("Bonjour, je m'inscris pour le 10.", ["day1"]),
])
def test_registering_oneself_is_accepting(text: str, sessions: list[str], meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert (reading.intent.value if reading.intent else None, list(reading.sessions or ())) == ("accept", sessions)


def test_the_writer_in_arabic_counted_with_a_colleague_named_as_signed_and_the_addressee_left_out(
        meeting: Meeting) -> None:
    text = ("السيدة ماريا رويث المحترمة،\n\nيسرني إبلاغكم بأنني سأشارك مع المستشار بدر سالم العنزي في الجلسة الأولى."
            "\n\nمع التحية،\nنورة فهد المطيري\nسكرتير ثالث")
    reading = read_message(mail(text, sender="Noura Almutairi <n@embassy.example.org>"), meeting)
    assert (reading.attendee_count, list(reading.attendees)) == (2, ["المستشار بدر سالم العنزي", "نورة فهد المطيري"])


def test_a_polite_request_to_register_someone_is_an_acceptance(meeting: Meeting) -> None:
    reading = read_message(_plain("Further to the exchange below, I should be grateful if you would also register "
                                  "Mr. Devon Charles, Second Secretary."), meeting)
    assert (reading.intent.value if reading.intent else None, reading.attendee_count) == ("accept", 1)


def test_a_note_verbale_sent_by_a_document_system_in_bulk_is_read() -> None:
    text = ("Ce message vous est adressé par le système de gestion électronique du courrier. Merci de ne pas répondre."
            "\n\nLa Mission permanente a l'honneur de confirmer que la délégation sera composée comme suit :\n\n"
            "- S.E. M. Abdoulaye Ndiaye, Ambassadeur ;\n- Mme Fatou Bintou Sarr, Premier Conseiller.")
    reading = read_message(mail(text, headers={"Auto-Submitted": "auto-generated", "Precedence": "bulk"}))
    assert (reading.kind.value, reading.intent.value if reading.intent else None, reading.attendee_count) == (
        "reply", "accept", 2)


@pytest.mark.parametrize(("text", "intent"), [
    # questions asked before the answer is given: no answer yet
    ("Con el fin de definir la participación de la Oficina, les agradeceríamos indicarnos:\n\n1. Si se contará con "
     "interpretación simultánea en ambas sesiones.", "unclear"),
    ("Nous souhaiterions, avant de vous communiquer la position de la Mission, obtenir quelques précisions :\n\n- une "
     "interprétation en français sera-t-elle assurée ?", "unclear"),
    # Portuguese: "vou tentar" and "não garanto" hedge; "não vai dar" refuses
    ("Vou tentar me conectar na quinta-feira, dia 11, mas não garanto. Na quarta não vai dar mesmo.", "tentative"),
    ("Não vai dar, infelizmente.", "decline"),
])
def test_questions_first_and_portuguese_hedges(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "intent"), [
    # a note verbale "présente ses compliments": no one is present by it
    ("La Mission permanente présente ses compliments à l'Unité d'appui et a l'honneur d'accuser réception de son "
     "invitation.\n\nLa Mission, qui salue l'initiative, se voit contrainte, à son grand regret, de renoncer à prendre "
     "part à cette rencontre.", "decline"),
    # following the work "with the greatest attention" is interest, not attendance
    ("Ce n'est pas que la Conférence ne nous intéresse pas ; mais notre équipe sera absorbée ce jour-là. "
     "Nous suivrons vos travaux avec la plus grande attention.", "decline"),
    ("Nous suivrons les travaux en ligne.", "accept"),
])
def test_compliments_and_following_with_interest(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


def test_one_taken_off_a_delegation_that_otherwise_stands(meeting: Meeting) -> None:
    # the delegation quoted below, less the one taken off; without it quoted, who stands is for a person to see
    earlier = ("Estimados señores:\n\nFavor eliminar al Consejero Pablo Herrera de nuestra lista. El resto de la "
               "delegación se mantiene sin cambios.\n\nAtentamente,\nMisión\n\n"
               "El 20 ene 2021, Misión <mision@rree.example.org> escribió:\n"
               "> Confirmamos la participación del Embajador Gonzalo Villarán y del Consejero Pablo Herrera.\n")
    quoted = read_message(mail(earlier, sender="Misión <mision@rree.example.org>"), meeting)
    assert (quoted.intent.value if quoted.intent else None, list(quoted.attendees)) == (
        "accept", ["Embajador Gonzalo Villarán"])
    alone = read_message(_plain("Please remove Counsellor Paul Hill from our list. The rest of the delegation remains "
                                "unchanged."), meeting)
    assert (alone.intent.value if alone.intent else None, alone.attendee_count) == ("unclear", None)


@pytest.mark.parametrize(("text", "intent", "sessions"), [
    # "not the first, but the second": the negation does not reach past the turn
    ("Подтверждаем участие. Прошу прощения, неточность: г-н Волков будет участвовать не в первой, а во второй "
     "сессии.", "accept", ["day2"]),
    ("Asistiremos, pero no el 10 sino el 11.", "accept", ["day2"]),
    # a restriction past the clause of a function: "X, director, in all sessions except the first"
    ("من المرجح أن يشارك العميد الركن جان أبي راشد، مدير المركز، في الجلسات كافة باستثناء الجلسة الأولى.",
     "tentative", ["day2"]),
])
def test_the_session_set_against_the_one_refused(text: str, intent: str, sessions: list[str],
                                                 meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert (reading.intent.value if reading.intent else None, list(reading.sessions or ())) == (intent, sessions)


@pytest.mark.parametrize(("text", "intent"), [
    ("鉴于近期馆内工作安排较为集中，我方届时恐难派员与会，谨致歉意。", "decline"),
    ("Прежде чем подтверждать состав делегации, просим уточнить: будет ли обеспечен перевод?", "unclear"),
    ("Leur participation demeure toutefois subordonnée à l'obtention de leurs visas.", "tentative"),
    ("The Mission's small team will be fully absorbed that week by the Human Rights Council. We shall nonetheless "
     "follow the outcome of the Conference with great interest.", "decline"),
    ("كنا نود لو تسنى لنا المشاركة في هذا المؤتمر، لولا تزامن موعده مع اجتماعات اللجنة الوطنية التي يشارك فيها الجميع. "
     "نتمنى لكم مؤتمرا ناجحا.", "decline"),
])
def test_regrets_without_a_no_conditions_and_questions_first_more(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent


@pytest.mark.parametrize(("text", "intent", "sessions"), [
    # a hedge before the answer's own piece is no condition of it ("Sous réserve de confirmation, Mme X devrait…")
    ("Sous réserve de confirmation, Mme Claire Monnier devrait pouvoir se joindre à la première séance, le 10 février. "
     "Sa participation à la seconde séance n'est en revanche pas envisageable.", "tentative", ["day1"]),
    ("En principio me conecto el miércoles 10; el jueves lo veo complicado. Te confirmo el lunes sin falta.",
     "tentative", ["day1"]),
    # one person for one session only, the others for both: every session, between them
    ("I am pleased to confirm Mr. Daniel Whitfield and Mr. Jorge Alvarado. Please note that Mr. Whitfield will join "
     "the first session only; Mr. Alvarado and I will attend both days.", "accept", []),
])
def test_hedged_sessions_and_one_person_restricted(text: str, intent: str, sessions: list[str],
                                                   meeting: Meeting) -> None:
    reading = read_message(_plain(text), meeting)
    assert (reading.intent.value if reading.intent else None, list(reading.sessions or ())) == (intent, sessions)


@pytest.mark.parametrize(("text", "intent"), [
    # a week taken by something else, with interest or good wishes for the outcome, and no "no": a regret
    ("Had the conference been scheduled for any other week, we would gladly have sent someone. As things stand, the "
     "whole programme team will be in Juba, and there is no one left to cover Geneva. We will follow the outcome "
     "closely.", "decline"),
    ("Cumpre-nos informar que a agenda da Missão se encontra já integralmente preenchida nessa semana. Acompanharemos "
     "com o maior interesse os resultados e fazemos votos do maior êxito.", "decline"),
    ("На 10-11 февраля вся наша группа задействована в выездном курсе. Будем очень признательны, если вы сможете "
     "направить нам итоговый документ.", "decline"),
    ("موعد الحوار يتزامن مع زيارة بعثة التقييم. لذا سنكتفي بمتابعة ما يصدر عن الحوار من وثائق. مع أطيب التمنيات "
     "بالتوفيق.", "decline"),
    ("La Mission aurait vivement souhaité être des vôtres le 2 mars.", "decline"),
    # confirming the delegation is accepting; "acho que consigo" and "vai depender" hedge
    ("We are now able to confirm the U.S. delegation for both sessions:\n\n- Ms. Rebecca Thornbury\n\nI will not "
     "be joining myself.", "accept"),
    ("Acho que consigo participar sim, mas vai depender muito da conexão.", "tentative"),
])
def test_regrets_by_a_full_week_and_confirmed_delegations(text: str, intent: str) -> None:
    assert read_intent(text).intent.value == intent

