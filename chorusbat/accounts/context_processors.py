from chorusbat.accounts.banners import banners_for


def membership(request):
    m = getattr(request, "membership", None)
    return {"membership": m, "banners": banners_for(m) if m else []}
