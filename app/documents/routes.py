"""Routes of the documents feature: agreements, certificates, compliance records, verification.

Volunteers: /documents/ (their documents and the request forms). Staff of the host and
coordinators: /documents/staff, opinions, signatures and /documents/compliance/<need_id>.
Downloads: the volunteer, staff of the document's institution and coordinators. /verify is public
and shows only kind, number, name, institution and dates.
"""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.auth.access import roles_required
from app.auth.access import volunteer_required
from app.core.forms import placeholder
from app.core.forms import written_choice
from app.core.labels import compliance_kind_labels
from app.core.labels import document_kind_labels
from app.core.text import polish
from app.core.time import today_in_warsaw
from app.documents.blueprint import bp
from app.documents.forms import AgreementRequestForm
from app.documents.forms import CertificateRequestForm
from app.documents.forms import ComplianceForm
from app.documents.forms import IssueAgreementForm
from app.documents.forms import OpinionForm
from app.documents.forms import SignatureForm
from app.documents.forms import VerifyForm
from app.extensions import db
from app.extensions import login_manager
from app.models import ComplianceKind
from app.models import Document
from app.models import DocumentKind
from app.models import Institution
from app.models import Need
from app.models import Role
from app.services import compliance
from app.services import documents as service
from app.services import pdf
from app.services.permissions import can_manage_need
from app.services.permissions import speaks_for_host

staff_required = roles_required(Role.STAFF, Role.COORDINATOR)


# --- volunteer -----------------------------------------------------------------------------------


def _volunteer_forms(
    certificate: CertificateRequestForm | None = None,
    agreement: AgreementRequestForm | None = None,
) -> tuple[CertificateRequestForm, AgreementRequestForm, list]:
    certificate = certificate or CertificateRequestForm(formdata=None)
    agreement = agreement or AgreementRequestForm(formdata=None)
    institutions = db.session.scalars(
        select(Institution)
        .where(Institution.is_active.is_(True))
        .order_by(polish(Institution.name))
    ).all()
    certificate.institution_id.choices = [
        SelectChoice("", _("Wszystkie instytucje koalicji (zaświadczenie zbiorcze)"))
    ] + [written_choice(str(i.id), i.name) for i in institutions]
    engagements = service.volunteer_engagements(current_user.id)
    agreement.need_id.choices = [placeholder()] + [
        written_choice(
            str(need.id),
            _(
                "%(title)s (%(inst)s), %(start)s – %(end)s",
                title=need.title,
                inst=need.institution.short_name,
                start=item.first_day.strftime("%d.%m.%Y"),
                end=item.last_day.strftime("%d.%m.%Y"),
            ),
        )
        for need, item in engagements
    ]
    if len(engagements) == 1 and not agreement.need_id.data:
        # The empty first choice is for people with several engagements: one is chosen already.
        agreement.need_id.data = str(engagements[0][0].id)
    return certificate, agreement, engagements


def _mine_page(certificate=None, agreement=None, status: int = 200):
    certificate, agreement, engagements = _volunteer_forms(certificate, agreement)
    return (
        render_template(
            "documents/mine.html",
            documents=service.documents_of(current_user.id),
            certificate_form=certificate,
            agreement_form=agreement,
            engagements=engagements,
            labels=document_kind_labels(),
        ),
        status,
    )


@bp.get("/documents/")
@volunteer_required
def mine():
    """My agreements and certificates, and the forms to ask for new ones."""
    return _mine_page()


@bp.post("/documents/certificates")
@volunteer_required
def request_certificate():
    """Issue a certificate of my confirmed hours for the chosen period."""
    form = CertificateRequestForm()
    _volunteer_forms(certificate=form)
    if form.validate_on_submit():
        inst = int(form.institution_id.data) if form.institution_id.data else None
        try:
            document = service.issue_certificate(
                current_user, form.period_start.data, form.period_end.data, inst, today_in_warsaw()
            )
        except service.DocumentError as exc:
            form[exc.field or "period_start"].errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Wystawiono zaświadczenie %(number)s.", number=document.number), "success")
            return redirect(url_for("documents.mine"))
    return _mine_page(certificate=form, status=422)


@bp.post("/documents/agreements/request")
@volunteer_required
def request_agreement():
    """Prepare an agreement for one of my engagements, to be signed with the institution."""
    form = AgreementRequestForm()
    _volunteer_forms(agreement=form)
    if form.validate_on_submit():
        try:
            document = service.issue_agreement(
                current_user.id, int(form.need_id.data), current_user, today_in_warsaw()
            )
        except service.DocumentError as exc:
            form.need_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Przygotowano porozumienie %(number)s.", number=document.number), "success")
            return redirect(url_for("documents.mine"))
    return _mine_page(agreement=form, status=422)


# --- downloads -----------------------------------------------------------------------------------


def _document_or_404(document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    return document


@bp.get("/documents/<int:document_id>.pdf")
def download(document_id: int):
    """The PDF, for the volunteer, staff of the document's institution and coordinators."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    document = _document_or_404(document_id)
    if not service.can_view(current_user, document):
        abort(404)
    body = pdf.render(document, url_for("documents.verify_form", _external=True))
    filename = document.number.replace("/", "-") + ".pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


# --- staff ---------------------------------------------------------------------------------------


@bp.get("/documents/staff")
@staff_required
def staff_list():
    """Documents of my institutions: agreements to sign, certificates waiting for an opinion."""
    return render_template(
        "documents/staff.html",
        documents=service.documents_for_staff(current_user),
        flagged=compliance.flagged_placements(current_user, today_in_warsaw()),
        needs=compliance.needs_with_engagements(current_user),
        kind_labels=compliance_kind_labels(),
        labels=document_kind_labels(),
    )


def _managed_document(document_id: int) -> Document:
    document = _document_or_404(document_id)
    if not service.can_manage(current_user, document):
        abort(403)
    return document


def _document_page(document: Document, opinion=None, signature=None, status: int = 200):
    opinion = opinion or OpinionForm(formdata=None, opinion=document.opinion)
    signature = signature or SignatureForm(
        formdata=None, signed_on=document.signed_on, signed_by=document.signed_by
    )
    return (
        render_template(
            "documents/detail.html",
            document=document,
            opinion_form=opinion,
            signature_form=signature,
            labels=document_kind_labels(),
        ),
        status,
    )


@bp.get("/documents/<int:document_id>")
@staff_required
def detail(document_id: int):
    """One document for staff: the opinion form (certificates) or the signature (agreements)."""
    return _document_page(_managed_document(document_id))


@bp.post("/documents/<int:document_id>/opinion")
@staff_required
def opinion(document_id: int):
    document = _managed_document(document_id)
    form = OpinionForm()
    if form.validate_on_submit():
        try:
            service.set_opinion(document, form.opinion.data)
        except service.DocumentError as exc:
            form.opinion.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Zapisano opinię."), "success")
            return redirect(url_for("documents.detail", document_id=document.id))
    return _document_page(document, opinion=form, status=422)


@bp.post("/documents/<int:document_id>/signature")
@staff_required
def signature(document_id: int):
    document = _managed_document(document_id)
    form = SignatureForm()
    if form.validate_on_submit():
        try:
            service.record_signature(
                document, form.signed_on.data, form.signed_by.data, today_in_warsaw()
            )
        except service.DocumentError as exc:
            form[exc.field or "signed_on"].errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Zapisano podpisanie porozumienia."), "success")
            return redirect(url_for("documents.detail", document_id=document.id))
    return _document_page(document, signature=form, status=422)


# --- compliance ----------------------------------------------------------------------------------


def _managed_need(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None:
        abort(404)
    if not can_manage_need(current_user, need):
        abort(403)
    return need


def _compliance_page(
    need: Need,
    record_form=None,
    agreement_form=None,
    status: int = 200,
    agreement_refused: bool = False,
):
    volunteers = compliance.engaged_volunteers(need.id)
    labels = compliance_kind_labels()
    record_form = record_form or ComplianceForm(formdata=None)
    agreement_form = agreement_form or IssueAgreementForm(formdata=None)
    _compliance_choices(need, record_form, agreement_form, volunteers)
    agreements = {
        d.volunteer_id: d
        for d in db.session.scalars(
            select(Document).where(
                Document.need_id == need.id, Document.kind == DocumentKind.AGREEMENT
            )
        )
    }
    rows = [
        {
            "volunteer": v,
            "engagement": service.engagement(v.id, need.id),
            "missing": compliance.missing_compliance(v.id, need.id),
            "no_agreement": compliance.lacks_signed_agreement(v.id, need.id),
            "records": compliance.records_of(v.id, need.id),
            "agreement": agreements.get(v.id),
        }
        for v in volunteers
    ]
    return (
        render_template(
            "documents/compliance.html",
            need=need,
            rows=rows,
            kind_labels=labels,
            record_form=record_form,
            agreement_form=agreement_form,
            may_issue_agreement=speaks_for_host(current_user, need),
            agreement_refused=agreement_refused,
        ),
        status,
    )


def _compliance_choices(need, record_form, agreement_form, volunteers=None) -> None:
    volunteers = volunteers if volunteers is not None else compliance.engaged_volunteers(need.id)
    people = [placeholder()] + [SelectChoice(str(v.id), v.full_name) for v in volunteers]
    record_form.volunteer_id.choices = people
    agreement_form.volunteer_id.choices = people
    if len(volunteers) == 1:
        # The empty first choice is for several people: the only one is chosen already.
        for form in (record_form, agreement_form):
            form.volunteer_id.data = form.volunteer_id.data or str(volunteers[0].id)
    record_form.kind.choices = [placeholder()] + [
        SelectChoice(k.value, label) for k, label in compliance_kind_labels().items()
    ]


@bp.get("/documents/compliance/<int:need_id>")
@staff_required
def compliance_page(need_id: int):
    """Accepted volunteers of the need and what each placement still lacks."""
    return _compliance_page(_managed_need(need_id))


def _recorded(need: Need, form: ComplianceForm) -> bool:
    """Record the step the form names; a refusal goes to its field (the day when it names none)."""
    try:
        compliance.record(
            int(form.volunteer_id.data),
            need.id,
            ComplianceKind(form.kind.data),
            form.done_on.data,
            form.note.data or "",
            current_user,
            today_in_warsaw(),
        )
    except compliance.ComplianceError as exc:
        form[exc.field or "done_on"].errors.append(str(exc))
        return False
    return True


@bp.post("/documents/compliance/<int:need_id>/records")
@staff_required
def record_compliance(need_id: int):
    """Staff note that a step the law asks for (safety briefing, insurance, consent...) was done."""
    need = _managed_need(need_id)
    form = ComplianceForm()
    _compliance_choices(need, form, IssueAgreementForm(formdata=None))
    if form.validate_on_submit() and _recorded(need, form):
        db.session.commit()
        flash(_("Zapisano."), "success")
        return redirect(url_for("documents.compliance_page", need_id=need.id))
    return _compliance_page(need, record_form=form, status=422)


def _issued_agreement(need: Need, form: IssueAgreementForm) -> Document | None:
    """The agreement for the chosen volunteer, or None with the refusal at the field."""
    try:
        return service.issue_agreement(
            int(form.volunteer_id.data), need.id, current_user, today_in_warsaw()
        )
    except service.DocumentError as exc:
        form.volunteer_id.errors.append(str(exc))
        return None


@bp.post("/documents/compliance/<int:need_id>/agreements")
@staff_required
def issue_agreement(need_id: int):
    """Staff of the host prepare the agreement for one engaged volunteer."""
    need = _managed_need(need_id)
    form = IssueAgreementForm()
    _compliance_choices(need, ComplianceForm(formdata=None), form)
    if not speaks_for_host(current_user, need):
        return _compliance_page(need, agreement_refused=True, status=403)
    document = _issued_agreement(need, form) if form.validate_on_submit() else None
    if document is not None:
        db.session.commit()
        flash(_("Przygotowano porozumienie %(number)s.", number=document.number), "success")
        return redirect(url_for("documents.detail", document_id=document.id))
    return _compliance_page(need, agreement_form=form, status=422)


# --- public verification -------------------------------------------------------------------------


@bp.get("/verify")
def verify_form():
    """Type a code from a document; the answer is on /verify/<code>."""
    form = VerifyForm(request.args)
    if request.args and form.validate():
        code = service.normalise_code(form.code.data)
        if code is None:
            return render_template("documents/verify_unknown.html", form=form), 404
        return redirect(url_for("documents.verify", code=code))
    status = 422 if request.args and form.errors else 200
    return render_template("documents/verify_form.html", form=form), status


@bp.get("/verify/<string:code>")
def verify(code: str):
    """Confirm that a code belongs to a real document, with no personal data beyond the name."""
    document = service.find_by_code(code)
    form = VerifyForm(formdata=None)
    if document is None:
        return render_template("documents/verify_unknown.html", form=form), 404
    institution = (
        db.session.get(Institution, document.institution_id) if document.institution_id else None
    )
    return render_template(
        "documents/verify.html",
        document=document,
        volunteer_name=document.content.get("volunteer", {}).get("name", ""),
        institution=institution,
        labels=document_kind_labels(),
    )
