from django.shortcuts import render

from chorusbat.accounts.permissions import admin_required, member_required


@member_required
def my_account(request):
    return render(request, "accounts/my_account.html", {"company": request.membership.company})


@admin_required
def subscription_edit(request):
    raise NotImplementedError
