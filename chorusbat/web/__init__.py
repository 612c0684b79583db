"""The layout and what every screen shares; the top of the layers (``chorusbat up``, ``chorusbat demo``).

Module map: ``views`` — home and the French error pages; ``templates``, ``static`` — layout and styles;
``french`` — French display of dates, periods, numbers; ``once``, ``models`` — a form posted twice does its work
once; ``middleware`` — French pages for the errors Django answers without one; ``reporting`` — secrets removed
from error reports; ``management/commands`` — ``up`` (what ``make run`` runs), ``demo``, ``diffsettings``.
``french`` and ``once`` are used by the apps below: they import no app (an import contract checks it).
"""
