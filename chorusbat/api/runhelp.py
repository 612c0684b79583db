"""What `chorusbat up` (`make run`) prints about the integration API (not a command itself)."""

from chorusbat.accounts.models import Company


def text(port: int = 8000) -> str:
    siret = Company.objects.order_by("id").values_list("siret", flat=True).first() or "SIRET"
    return (
        f"Integration API: http://127.0.0.1:{port}/api/v1/docs — create a key with\n"
        f"  .venv/bin/chorusbat api-key create --company {siret} --name ERP\n"
        f"(or, as admin, under Mon compte › API et webhooks); then "
        f"curl -H 'Authorization: Bearer <key>' http://127.0.0.1:{port}/api/v1/markets"
    )
