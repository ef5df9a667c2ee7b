"""A later message in a thread that changes a delegation: the delegation as it stands after it."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest

from rsvp.domain.meeting import Meeting
from rsvp.reading import read_message
from rsvp.reading.quotes import earlier_message

EARLIER = {
    "en": "We are pleased to confirm that our delegation will be:\n\n1. H.E. Mr. Ciarán Ó Móráin, Ambassador\n"
          "2. Mr. Eoin Fitzgerald, First Secretary\n3. Ms. Siobhán Kerrigan, Third Secretary\n\nKind regards,\nNiamh",
    "es": "La Misión confirma su participación. La delegación estará conformada por:\n\n"
          "1. Excma. Sra. Embajadora Beatriz Londoño Soto\n2. Sr. Andrés Felipe Durán, Ministro Consejero\n"
          "3. Sra. Juliana Restrepo, Segunda Secretaria\n\nCordialmente,",
    "ru": "Сообщаем, что в Конференции примут участие:\n\nг-н Андрей Петрович Соколов, Постоянный представитель;\n"
          "советник Н.И. Громов;\nпервый секретарь г-жа Е.С. Белова.\n\nС уважением,",
}


def _thread(new: str, language: str, quoted_from: str = "Niamh Doyle <niamh.doyle@dfa-ie.example.org>") -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"] = quoted_from
    message["To"] = "registration+abc123@minefree-americas.example.org"
    message["Subject"] = "RE: Invitation"
    message.set_content(f"{new}\n\nFrom: {quoted_from}\nSent: Wednesday, February 3, 2021 2:40 PM\n"
                        f"To: registration@minefree-americas.example.org\nSubject: RE: Invitation\n\n"
                        f"{EARLIER[language]}\n")
    return message.as_bytes()


@pytest.mark.parametrize(("language", "new", "count", "gone", "kept"), [
    ("en", "Further to my message below, please remove Mr. Eoin Fitzgerald from our list, as he will be "
           "travelling. The Ambassador and Ms. Kerrigan will attend as planned.", 2, "Fitzgerald", "Kerrigan"),
    ("en", "Further to my message below, please also register Lt. Col. Brendan Sarmiento, Defense Attaché.", 4,
     None, "Sarmiento"),
    ("es", "Les informamos de un cambio en la composición de la delegación: la Sra. Valentina Ochoa, Primera "
           "Secretaria, reemplazará al Sr. Andrés Felipe Durán, quien no podrá asistir.", 3, "Durán", "Ochoa"),
    ("ru", "В дополнение к нашей ноте сообщаем, что вместо первого секретаря Е.С. Беловой в работе Конференции "
           "примет участие второй секретарь Д.А. Орлов.", 3, "Белова", "Орлов"),
])
def test_a_change_to_the_delegation_leaves_the_rest_as_it_was(language: str, new: str, count: int, gone: str | None,
                                                             kept: str, meeting: Meeting) -> None:
    reading = read_message(_thread(new, language), meeting)
    assert reading.intent is not None and reading.intent.value == "accept"
    assert reading.attendee_count == count
    assert any(kept in person for person in reading.attendees)
    assert gone is None or not any(gone in person for person in reading.attendees)


def test_the_desks_own_quoted_mail_is_no_earlier_answer(meeting: Meeting) -> None:
    """A delegation in a message the desk sent (a confirmation it quotes back) is not the writer's answer."""
    raw = _thread("Please also register Lt. Col. Brendan Sarmiento.", "en",
                  quoted_from="Registration desk <registration@minefree-americas.example.org>")
    reading = read_message(raw, meeting)
    assert reading.attendee_count == 1 and not any("Kerrigan" in p for p in reading.attendees)


def test_a_delegation_listed_again_in_full_is_read_alone(meeting: Meeting) -> None:
    new = "Our delegation will now be:\n\n1. H.E. Mr. Ciarán Ó Móráin, Ambassador\n2. Ms. Aoife Byrne, Counsellor"
    reading = read_message(_thread(new, "en"), meeting)
    assert reading.attendee_count == 2 and not any("Kerrigan" in p for p in reading.attendees)


def test_the_earlier_message_is_found_under_each_kind_of_quote() -> None:
    gmail = "Also Ms. Ana Ruiz.\n\nOn Mon, 1 Feb 2021 at 10:00, Niamh <n@x.org> wrote:\n> We confirm Mr. Tom Lee.\n>\n"
    outlook = "Also Ms. Ana Ruiz.\n\nDe: Niamh <n@x.org>\nEnviado el: lunes\nPara: r@y.org\nAsunto: RE\n\nConfirmo.\n"
    assert earlier_message(gmail) == ("On Mon, 1 Feb 2021 at 10:00, Niamh <n@x.org> wrote:", "We confirm Mr. Tom Lee.")
    assert earlier_message(outlook)[1] == "Confirmo."
    assert earlier_message("Just this.") == ("", "")


APPLE_CLARIFICATION = (
    "{new}\n\nSent from my iPhone\n\n"
    "> On 29 Jan 2021, at 11:05, Registration <registration+vd7yf7vu1b@minefree-americas.example.org> wrote:\n"
    ">\n> Dear Mr. Salazar,\n>\n> Could you please confirm which session(s) Mr. Salazar and Ms. Ortiz will attend?\n"
    ">\n> Registration desk\n>\n> > Dear colleagues,\n> >\n"
    "> > Mr. Diego Salazar and Ms. Paula Ortiz will attend on behalf of the Foundation.\n> >\n> > Diego Salazar\n")


def test_an_answer_to_the_desks_question_keeps_the_delegation_the_desk_asked_about(meeting: Meeting) -> None:
    """The writer's earlier answer stands under the desk's question (Apple Mail quotes the attribution too)."""
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"] = "Diego Salazar <ds@fundacion.example.org>", "registration+vd7yf7vu1b@x.org"
    message["Subject"] = "Re: Invitation"
    message.set_content(APPLE_CLARIFICATION.format(new="Yes, both sessions."))
    reading = read_message(message.as_bytes(), meeting)
    assert (reading.attendee_count, list(reading.attendees)) == (2, ["Mr. Diego Salazar", "Ms. Paula Ortiz"])


def _answering_the_desk(new: str) -> bytes:
    message = EmailMessage(policy=SMTP)
    message["From"], message["To"] = "Marcela Ríos <mrios@mindefensa.example.org>", "registration+vcujyybicb@x.org"
    message["Subject"] = "RE: Su inscripción"
    message.set_content(f"{new}\n\n________________________________\nDe: Registration "
                        "<registration+vcujyybicb@minefree-americas.example.org>\nEnviado el: viernes, 29 de enero "
                        "de 2021 11:05\nPara: Marcela Ríos <mrios@mindefensa.example.org>\nAsunto: Su inscripción\n\n"
                        "Estimada Sra. Ríos:\n\nGracias por confirmar la participación de su Ministerio. ¿Podría "
                        "indicarnos el nombre y cargo de la persona que se conectará?\n\nMesa de inscripción\n")
    return message.as_bytes()


@pytest.mark.parametrize(("new", "intent", "attendees"), [
    ("Será el Primer Secretario Andrés Villalba.\n\nSaludos,\nMarcela", "accept",
     ["Primer Secretario Andrés Villalba"]),
    ("Gracias, les escribo pronto.\n\nSaludos,\nSra. Marcela Ríos", "unclear", []),  # who signs names nobody
    ("Todavía no lo sabemos; quizás el Sr. Pablo Mena.\n\nSaludos,\nMarcela", "tentative", ["Sr. Pablo Mena"]),
])
def test_names_given_in_answer_to_the_desks_question(new: str, intent: str, attendees: list[str],
                                                       meeting: Meeting) -> None:
    reading = read_message(_answering_the_desk(new), meeting)
    assert (reading.intent.value if reading.intent else None, list(reading.attendees)) == (intent, attendees)


@pytest.mark.parametrize(("text", "count", "attendees"), [
    ("Por instrucciones de la Embajadora Carmen Valdivia, me permito confirmar su participación.\n\nAtentamente,\n"
     "Rosa Huamán", 1, ["Embajadora Carmen Valdivia"]),
    ("Rectification : c'est moi, Marc Tremblay, conseiller, qui participerai à la Conférence. Sophie restera au "
     "Conseil ce jour-là. Merci d'annuler son inscription.\n\nMarc Tremblay", 1, ["Marc Tremblay, conseiller"]),
])
def test_who_replies_for_whom(text: str, count: int, attendees: list[str], meeting: Meeting) -> None:
    """On someone's instructions the writer is not counted; the writer who takes a colleague's place is, once."""
    message = EmailMessage(policy=SMTP)
    sender = text.rsplit("\n", 1)[-1]
    message["From"], message["To"] = f"{sender} <w@mission.example.org>", "registration+abc@x.org"
    message["Subject"] = "RE: Invitation"
    message.set_content(text)
    reading = read_message(message.as_bytes(), meeting)
    assert (reading.intent.value if reading.intent else None, reading.attendee_count, list(reading.attendees)) == (
        "accept", count, attendees)
