"""Import and export columns of the catalog: products with variants (a batched upsert by seller + SKU),
stock levels per warehouse (each change a StockMovement through catalog.services), and the export
resources of the product and stock lists."""

from __future__ import annotations

import json
from itertools import repeat

from django.db import IntegrityError, connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from catalog.models import Category, Product, StockLevel, StockMovement, Variant, Warehouse
from catalog.services import stock_set_on_hand
from common.exceptions import ApplicationError
from common.scoping import scope_to_user_sellers
from sellers.models import Seller
from transfers import importing as imp
from transfers.importing import Column, Importer, Report, Row

_MISSING = object()
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_BOOLEANS = {True: "t", False: "f", None: "\\N"}


def _copy_column(values: list) -> list[str]:
    """Text, numbers and None of one column in PostgreSQL's COPY text format."""
    if all(value.__class__ is str for value in values):
        joined = "".join(values)
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            return [value.translate(_COPY_ESCAPES) for value in values]
        return values
    return ["\\N" if value is None else value.translate(_COPY_ESCAPES) if value.__class__ is str else str(value)
            for value in values]


def _bigint_array(values) -> str:
    """Whole numbers as the text of a PostgreSQL array: one string to quote, where a list goes through the
    client's array adapter number by number."""
    return "{" + ",".join(map(str, values)) + "}"


PRODUCT_STATUSES = {"draft": "draft", "active": "active", "aktif": "active", "archived": "archived",
                    "arsip": "archived", "diarsipkan": "archived"}


class ImportConflict(ApplicationError):
    code = "import_conflict"
    http_status = 409


def seller_map(user) -> dict[str, int]:
    """Seller code -> id for the sellers `user` may act for (exact codes, and upper-cased as a fallback)."""
    codes = scope_to_user_sellers(Seller.objects.all(), user=user, seller_path="pk").values_list("code", "pk")
    found = {}
    for code, pk in codes:
        found[code] = pk
        found.setdefault(code.upper(), pk)
    return found


def lookup_seller(sellers: dict[str, int], row: Row, problems: list, key: str = "seller") -> int | None:
    code = imp.text(row, key, required=True, problems=problems)
    if not code:
        return None
    seller_id = sellers.get(code) or sellers.get(code.upper())
    if seller_id is None:
        problems.append((key, code, _("no seller with this code (or not one you work for)")))
    return seller_id


def parse_options(row: Row, problems: list) -> dict | None:
    """"Warna=Merah; Ukuran=XL" or a JSON object -> {"Warna": "Merah", "Ukuran": "XL"}."""
    raw = row.get("options")
    if raw == "" or raw is None:
        return None
    text = str(raw).strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        problems.append(("options", raw, _("is not a JSON object")))
        return None
    options = {}
    for part in text.replace("|", ";").split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep:
            name, sep, value = part.partition(":")
        if not sep or not name.strip():
            problems.append(("options", raw, _("write options as Name=Value; Name=Value")))
            return None
        options[name.strip()] = value.strip()
    return options


# --------------------------------------------------------------------------------------- products, variants

_VARIANT_COLUMNS = {  # file column -> Variant field
    "variant_name": "name", "options": "option_values", "price": "price", "weight_grams": "weight_grams",
    "length_cm": "length_cm", "width_cm": "width_cm", "height_cm": "height_cm", "active": "is_active",
}
_PRODUCT_COLUMNS = {  # file column -> Product field
    "product_name": "name", "description": "description", "brand": "brand", "product_status": "status",
    "category": "category_id",
}
_VARIANT_FIELDS = ("name", "option_values", "price", "weight_grams", "length_cm", "width_cm", "height_cm",
                   "is_active")
_PRODUCT_FIELDS = ("name", "description", "brand", "status", "category_id")


class ProductImporter(Importer):
    """Products with their variants, one variant per row, matched by seller + SKU: a new SKU is created
    (under the seller's product of that name, made when missing), a known SKU is updated where a column
    differs, and a row that changes nothing writes nothing. Columns left out of the file keep their
    values. Rows are validated in Python, then each batch is COPYed into a temporary table and written with
    a handful of set-based statements (INSERT … SELECT, UPDATE … FROM), each with its history rows, so the
    queries per row stay constant whatever the file size."""

    kind = "products"
    title = gettext_lazy("Products and variants")
    permissions = ("catalog.add_product", "catalog.change_product", "catalog.add_variant", "catalog.change_variant")
    batch_size = 5000
    prepare_ahead = True
    columns = [
        Column("seller", "penjual", gettext_lazy("Seller code."), True, ("TOKO01", "TOKO01")),
        Column("sku", "sku", gettext_lazy("SKU, unique per seller; the row updates the variant with this SKU "
                                          "or creates it."), True, ("KAOS-M-L", "KAOS-M-XL")),
        Column("product_name", "nama_produk", gettext_lazy("Product name; new SKUs join the seller's product of "
                                                           "this name (created when missing)."), True,
               ("Kaos Polos Katun", "Kaos Polos Katun")),
        Column("variant_name", "nama_varian", gettext_lazy("Variant name."), False, ("Merah / L", "Merah / XL")),
        Column("price", "harga", gettext_lazy("Price in rupiah: 85000, 85.000 or Rp 85.000."), True,
               ("85.000", "Rp 90.000")),
        Column("weight_grams", "berat_gram", gettext_lazy("Weight in grams, more than zero."), True, ("250", "270")),
        Column("category", "kategori", gettext_lazy("Category slug (or name)."), False, ("", "")),
        Column("brand", "merek", gettext_lazy("Brand."), False, ("Katunku", "Katunku")),
        Column("description", "deskripsi", gettext_lazy("Product description."), False, ("Kaos katun 30s", "")),
        Column("product_status", "status_produk", gettext_lazy("draft, active or archived (default active)."),
               False, ("active", "active")),
        Column("options", "opsi", gettext_lazy("Options as Name=Value; Name=Value."), False,
               ("Warna=Merah; Ukuran=L", "Warna=Merah; Ukuran=XL")),
        Column("length_cm", "panjang_cm", gettext_lazy("Length in cm."), False, ("30", "31")),
        Column("width_cm", "lebar_cm", gettext_lazy("Width in cm."), False, ("20", "21")),
        Column("height_cm", "tinggi_cm", gettext_lazy("Height in cm."), False, ("2", "2")),
        Column("active", "aktif", gettext_lazy("yes/no (ya/tidak); default yes."), False, ("ya", "ya")),
    ]

    def begin(self) -> None:
        self.sellers = seller_map(self.user)
        self.categories = {}
        for pk, slug, name in Category.objects.values_list("pk", "slug", "name"):
            self.categories.setdefault(name.lower(), pk)
            self.categories[slug.lower()] = pk
        self.seen: dict[int, set[str]] = {}  # seller_id -> the SKUs of the rows so far
        self.products_by_name: dict[tuple[int, str], int] = {}
        self.temp_tables = False
        self.row_parsers = [("seller", lambda r, p: lookup_seller(self.sellers, r, p), {})] + [
            (key, parse, {}) for key, parse in self._parsers() if key in self.present]
        self.options_text: dict[str, dict] = {}
        self.options_json: dict[int, tuple[dict, str]] = {}
        self.copy = self.copy_available()
        self.renamed = False  # a product was renamed: its old name may still lead to it (see _needing_a_look)
        self.differs = self._differs_sql()
        self.variant_table = Variant._meta.db_table
        self.product_table = Product._meta.db_table
        self.reason = (_("Import %(reference)s") % {"reference": self.reference})[:100] if self.reference else ""

    # ---- validation (pure Python, a batch at a time; runs ahead in a worker thread, see Importer.prepare_ahead)
    def prepare_batch(self, rows: list[Row]) -> tuple[list[tuple[Row, dict]], list[tuple[Row, list]], str]:
        """([(row, values by column key, seller as seller_id)], [(row, problems)], the valid rows in COPY text
        for _import_row) of a batch, rows in file order. Column by column: each column's cells go through a
        memo of the texts already parsed without a problem (prices, weights, sellers, options repeat across a
        file), the parser runs on the others."""
        positions = self.positions
        cells = [row.cells for row in rows]
        width = max(positions.values()) + 1
        if any(len(c) < width for c in cells):  # a short row: the missing cells are empty
            cells = [c if len(c) >= width else [*c, *[""] * (width - len(c))] for c in cells]
        problems: dict[int, list] = {}
        names, columns = [], []
        missing = _MISSING
        for key, parse, memo in self.row_parsers:
            index = positions[key]
            raws = [c[index] for c in cells]
            parsed = list(map(memo.get, raws, repeat(missing, len(raws))))
            for i in [i for i, value in enumerate(parsed) if value is missing]:
                raw = raws[i]
                value = memo.get(raw, missing) if raw.__class__ is str else missing  # seen earlier in the batch
                if value is missing:
                    found: list = []
                    value = parse(rows[i], found)
                    if found:
                        problems.setdefault(i, []).extend(found)
                    elif raw.__class__ is str and len(memo) < 20_000:
                        memo[raw] = value
                parsed[i] = value
            names.append("seller_id" if key == "seller" else key)
            columns.append(parsed)
        skus, product_names = [], []
        sku_at, name_at = positions["sku"], positions["product_name"]
        seen = self.seen

        def required_text(i: int, cell, column: str, max_length: int) -> str:
            value = cell.strip() if cell.__class__ is str else imp.cell_text(cell).strip()
            if not value or len(value) > max_length:  # the slow path only to word the problem
                found = []
                value = imp.text(rows[i], column, required=True, max_length=max_length, problems=found)
                if found:
                    problems.setdefault(i, []).extend(found)
            return value

        for i, (c, seller_id) in enumerate(zip(cells, columns[0], strict=True)):
            sku = required_text(i, c[sku_at], "sku", 64)
            name = required_text(i, c[name_at], "product_name", 255)
            if seller_id is not None and sku:
                skus_seen = seen.get(seller_id)
                if skus_seen is None:
                    skus_seen = seen[seller_id] = set()
                if sku in skus_seen:
                    problems.setdefault(i, []).append(
                        ("sku", sku, _("this SKU of this seller appears more than once in the file")))
                else:
                    skus_seen.add(sku)
            skus.append(sku)
            product_names.append(name)
        names += ["sku", "product_name"]
        columns += [skus, product_names]
        if not problems:
            valid = [(row, dict(zip(names, values, strict=True)))
                     for row, values in zip(rows, zip(*columns, strict=True), strict=True)]
            rejected = []
        else:
            valid, rejected = [], []
            for i, values in enumerate(zip(*columns, strict=True)):
                if i in problems:
                    rejected.append((rows[i], problems[i]))
                else:
                    valid.append((rows[i], dict(zip(names, values, strict=True))))
        copy_text = ""
        if self.copy and valid:
            by_name = dict(zip(names, columns, strict=True))
            if problems:
                keep = [i for i in range(len(rows)) if i not in problems]
                by_name = {name: [column[i] for i in keep] for name, column in by_name.items()}
            copy_text = self._row_copy_text(by_name, len(valid))
        return valid, rejected, copy_text

    def _row_copy_text(self, columns: dict[str, list], count: int) -> str:
        """The batch's valid rows in COPY text format for _import_row (n = the row's index in the batch's valid
        rows), built column by column: `columns` maps a column key (seller as seller_id) to its values."""
        absent = ["\\N"] * count
        out = [list(map(str, range(count))), list(map(str, columns["seller_id"]))]
        for key in ("sku", "product_name", "variant_name", "options", "price", "weight_grams", "length_cm",
                    "width_cm", "height_cm", "active", "description", "brand", "product_status", "category"):
            values = columns.get(key)
            if values is None:
                out.append(absent)
                continue
            if key == "options":
                values = list(map(self._options_json, values))
            elif key == "active":
                values = list(map(_COPY_BOOLEANS.__getitem__, values))
                out.append(values)
                continue
            out.append(_copy_column(values))
        lines = list(map("\t".join, zip(*out, strict=True)))
        lines.append("")
        return "\n".join(lines)

    def _options_json(self, options: dict | None) -> str | None:
        """The options as JSON text; the parsed options of repeated cells are one dict object, so the text of
        each is made once (the cache holds the dict, so its id is not reused)."""
        if options is None:
            return None
        cached = self.options_json.get(id(options))
        if cached is not None and cached[0] is options:
            return cached[1]
        dumped = json.dumps(options, ensure_ascii=False)
        if len(self.options_json) < 20_000:
            self.options_json[id(options)] = (options, dumped)
        return dumped

    def _category(self, row: Row, problems: list):
        word = imp.text(row, "category", problems=problems)
        if not word:
            return None
        category_id = self.categories.get(word.lower())
        if category_id is None:
            problems.append(("category", word, _("no category with this slug or name")))
        return category_id

    def _parsers(self) -> list:
        def active(row, problems):
            value = imp.boolean(row, "active", problems=problems)
            return True if value is None else value

        def options(row, problems):
            value = parse_options(row, problems)
            return value if value is not None else {}

        return [
            ("price", lambda r, p: imp.amount(r, "price", required=True, problems=p)),
            ("weight_grams", lambda r, p: imp.integer(r, "weight_grams", required=True, minimum=1, problems=p)),
            ("variant_name", lambda r, p: imp.text(r, "variant_name", max_length=255, problems=p)),
            ("brand", lambda r, p: imp.text(r, "brand", max_length=120, problems=p)),
            ("description", lambda r, p: imp.text(r, "description", problems=p)),
            ("product_status", lambda r, p: imp.choice(r, "product_status", choices=PRODUCT_STATUSES, problems=p,
                                                       default=None)),
            ("category", self._category),
            ("options", options),
            ("length_cm", lambda r, p: imp.decimal(r, "length_cm", problems=p)),
            ("width_cm", lambda r, p: imp.decimal(r, "width_cm", problems=p)),
            ("height_cm", lambda r, p: imp.decimal(r, "height_cm", problems=p)),
            ("active", active),
        ]

    # ---- one batch
    def process_batch(self, prepared, report: Report) -> None:
        valid, rejected, copy_text = prepared
        for row, problems in rejected:
            report.reject(row, problems)
        if not valid:
            return
        if not self.copy:
            self._apply_one_by_one(valid, report)
            return
        with connection.cursor() as cursor:
            if not self.temp_tables:
                self._temp_tables(cursor)
                self.temp_tables = True
            existing, look = self._needing_a_look(cursor, valid, copy_text)
            numbers = range(len(valid))  # each row's n in _import_row
            if len(look) < len(valid):  # the other rows change nothing: no Python comparison for them
                for n, (row, _values) in enumerate(valid):
                    if n not in look:
                        report.outcome(row, "unchanged")
                numbers = sorted(look)
                valid = [valid[n] for n in numbers]
            if valid:
                product_state = self._product_states(cursor, valid, existing)
                self._apply(cursor, valid, numbers, existing, product_state, report)

    def _differs_sql(self) -> str:
        """SQL true when row r of _import_row would change its variant v or v's product p: the same
        comparisons _apply makes (IS DISTINCT FROM: NULL equals NULL), over the columns in the file."""
        present = self.present
        checks = ["r.product_name IS DISTINCT FROM p.name"]  # a new name renames the product
        for column, sql in (("variant_name", "r.name IS DISTINCT FROM v.name"),
                            ("options", "r.options::jsonb IS DISTINCT FROM v.option_values"),
                            ("price", "r.price IS DISTINCT FROM v.price"),
                            ("weight_grams", "r.weight_grams IS DISTINCT FROM v.weight_grams"),
                            ("length_cm", "r.length_cm IS DISTINCT FROM v.length_cm"),
                            ("width_cm", "r.width_cm IS DISTINCT FROM v.width_cm"),
                            ("height_cm", "r.height_cm IS DISTINCT FROM v.height_cm"),
                            ("active", "r.is_active IS DISTINCT FROM v.is_active"),
                            ("description", "r.description IS DISTINCT FROM p.description"),
                            ("brand", "r.brand IS DISTINCT FROM p.brand"),
                            ("product_status", "(r.status IS NOT NULL AND r.status IS DISTINCT FROM p.status)"),
                            ("category", "r.category_id IS DISTINCT FROM p.category_id")):
            if column in present:
                checks.append(sql)
        return " OR ".join(checks)

    @staticmethod
    def copy_available() -> bool:
        return connection.vendor == "postgresql"

    def _apply_one_by_one(self, valid, report: Report) -> None:
        """The same upsert through the ORM, row by row, where there is no COPY (the SQLite demo of `make run`):
        slow, but the same outcomes, history rows and "columns left out keep their values"."""
        present = self.present
        for row, values in valid:
            variant = (Variant.objects.select_related("product")
                       .filter(seller_id=values["seller_id"], sku=values["sku"]).first())
            if variant is None:
                product = (Product.objects.filter(seller_id=values["seller_id"], name=values["product_name"])
                           .order_by("id").first())
                if product is None:
                    name, description, brand, status, category_id = self._new_product_state(values)
                    product = Product(seller_id=values["seller_id"], name=name, description=description,
                                      brand=brand, status=status, category_id=category_id)
                    self._save_with_history(product)
                self._save_with_history(Variant(
                    product=product, seller_id=values["seller_id"], sku=values["sku"],
                    name=values.get("variant_name", ""), option_values=values.get("options") or {},
                    price=values["price"], weight_grams=values["weight_grams"], length_cm=values.get("length_cm"),
                    width_cm=values.get("width_cm"), height_cm=values.get("height_cm"),
                    is_active=True if values.get("active") is None else values["active"],
                ))
                report.outcome(row, "new")
                continue
            changed = False
            for target, columns in ((variant, _VARIANT_COLUMNS), (variant.product, _PRODUCT_COLUMNS)):
                fields = [field for column, field in columns.items() if column in present
                          and not (column == "product_status" and values[column] is None)
                          and getattr(target, field) != values[column]]
                for column, field in columns.items():
                    if field in fields:
                        setattr(target, field, values[column])
                if fields:
                    self._save_with_history(target, update_fields=[*fields, "updated_at"])
                    changed = True
            report.outcome(row, "updated" if changed else "unchanged")

    def _save_with_history(self, instance, **kwargs) -> None:
        instance._history_user = self.user  # django-simple-history: who, and why, on the history row
        instance._change_reason = self.reason or None
        instance.save(**kwargs)

    def _needing_a_look(self, cursor, valid, copy_text: str) -> tuple[dict[tuple[int, str], tuple], set[int]]:
        """The batch goes to _import_row in one COPY; one statement compares it with the database and returns
        the rows that need the Python comparison of _apply: new SKUs, rows that change their variant or
        product, and every row of a product one of those touches (so that rows of one product in one batch
        are still weighed together). Returns (existing variants of those rows by (seller_id, sku), their
        indexes in `valid`); the other rows change nothing. After a rename in this import every row gets
        the look (an old product name may then lead to the renamed product). The same statement finds the
        product a new SKU joins by name (the first of that name), kept in products_by_name unless this
        import already knows the name."""
        cursor.execute("TRUNCATE _import_row")
        with cursor.copy("COPY _import_row FROM STDIN") as copy:
            copy.write(copy_text)
        everything = "true" if self.renamed else "false"
        # The variant, and a new SKU's product by name, are looked up through LATERAL … LIMIT 1 (the
        # (seller_id, sku) and (seller_id, name) indexes, row by row): a plain join lets the planner hash the
        # whole table for every batch.
        cursor.execute(
            f"WITH j AS MATERIALIZED (SELECT r.n, v.seller_id, v.sku, v.id, v.product_id, v.name,"
            f" v.option_values::text AS options, v.price, v.weight_grams, v.length_cm, v.width_cm, v.height_cm,"
            f" v.is_active, p.seller_id AS product_seller_id, p.name AS product_name,"
            f" (v.id IS NULL OR {self.differs}) AS flagged, named.id AS named_product_id"
            f" FROM _import_row r LEFT JOIN LATERAL (SELECT * FROM {self.variant_table} x"
            f" WHERE x.seller_id = r.seller_id AND x.sku = r.sku LIMIT 1) v ON true"
            f" LEFT JOIN {self.product_table} p ON p.id = v.product_id"
            f" LEFT JOIN LATERAL (SELECT x.id FROM {self.product_table} x WHERE v.id IS NULL"
            f" AND x.seller_id = r.seller_id AND x.name = r.product_name ORDER BY x.id LIMIT 1) named ON true),"
            f" touched AS (SELECT product_id FROM j WHERE flagged AND product_id IS NOT NULL"
            f" UNION SELECT product_id FROM j WHERE id IS NOT NULL AND (product_seller_id, product_name) IN"
            f" (SELECT r.seller_id, r.product_name FROM _import_row r JOIN j ON j.n = r.n WHERE j.id IS NULL))"
            f" SELECT n, seller_id, sku, id, product_id, name, options, price, weight_grams, length_cm, width_cm,"
            f" height_cm, is_active, named_product_id FROM j"
            f" WHERE {everything} OR flagged OR product_id IN (SELECT product_id FROM touched)"
        )
        options = self.options_text  # option texts repeat: decode each once
        products_by_name = self.products_by_name
        found, look = {}, set()
        for r in cursor.fetchall():
            look.add(r[0])
            if r[3] is None:
                if r[13] is not None:
                    values = valid[r[0]][1]
                    products_by_name.setdefault((values["seller_id"], values["product_name"]), r[13])
                continue
            decoded = options.get(r[6])
            if decoded is None:
                decoded = json.loads(r[6])
                if len(options) < 50_000:
                    options[r[6]] = decoded
            found[(r[1], r[2])] = (r[3], r[4], r[5], decoded, *r[7:13])
        return found, look

    def _product_states(self, cursor, valid, existing) -> dict[int, list]:
        """Current values of every product the batch touches (new SKUs' products by name: products_by_name,
        filled by _needing_a_look)."""
        wanted_ids = {e[1] for e in existing.values()}
        products_by_name = self.products_by_name
        for _row, values in valid:
            if (values["seller_id"], values["sku"]) in existing:
                continue
            pid = products_by_name.get((values["seller_id"], values["product_name"]))
            if pid is not None:
                wanted_ids.add(pid)
        if not wanted_ids:
            return {}
        cursor.execute(
            f"SELECT id, name, description, brand, status, category_id FROM {self.product_table}"
            f" WHERE id = ANY(%s::bigint[])",
            [_bigint_array(wanted_ids)],
        )
        return {r[0]: list(r[1:]) for r in cursor.fetchall()}

    def _apply(self, cursor, valid, numbers, existing, product_state, report: Report) -> None:
        present = self.present
        product_cols = [(c, f, _PRODUCT_FIELDS.index(f)) for c, f in _PRODUCT_COLUMNS.items()
                        if c in present and c != "product_name"]
        variant_cols = [(c, f, _VARIANT_FIELDS.index(f)) for c, f in _VARIANT_COLUMNS.items() if c in present]
        changed_products: dict[int, list] = {}
        new_products: dict[tuple[int, str], list] = {}
        changed_variants: dict[int, list] = {}
        new_variants: list[tuple[tuple[int, str], int]] = []  # (product key, n in _import_row)
        outcomes: list[tuple[Row, str]] = []

        for (row, values), n in zip(valid, numbers, strict=True):
            key = (values["seller_id"], values["sku"])
            found = existing.get(key)
            if found is None:
                pkey = (values["seller_id"], values["product_name"])
                pid = self.products_by_name.get(pkey)
                if pid is None:
                    state = new_products.get(pkey)
                    if state is None:
                        new_products[pkey] = self._new_product_state(values)
                    else:
                        for column, _name, index in product_cols:
                            if values[column] is not None or column != "product_status":
                                state[index] = values[column]
                else:
                    self._product_changes(pid, values, product_state, changed_products, product_cols, rename=False)
                new_variants.append((pkey, n))
                outcomes.append((row, "new"))
                continue
            variant_id, pid = found[0], found[1]
            current = list(found[2:])
            changed = False
            for column, _name, index in variant_cols:
                if current[index] != values[column]:
                    current[index] = values[column]
                    changed = True
            if changed:
                changed_variants[variant_id] = current
            if self._product_changes(pid, values, product_state, changed_products, product_cols, rename=True):
                changed = True
            outcomes.append((row, "updated" if changed else "unchanged"))

        if new_products:
            self._insert_products(cursor, new_products)
        if changed_products:
            self._update_products(cursor, changed_products)
        if new_variants:
            self._insert_variants(cursor, new_variants)
        if changed_variants:
            self._update_variants(cursor, changed_variants)
        for row, result in outcomes:
            report.outcome(row, result)

    def _new_product_state(self, values: dict) -> list:
        return [values["product_name"], values.get("description", ""), values.get("brand", ""),
                values.get("product_status") or "active", values.get("category")]

    def _product_changes(self, pid, values, product_state, changed_products, product_cols, *, rename) -> bool:
        state = changed_products.get(pid) or product_state.get(pid)
        if state is None:
            return False
        updated = list(state)
        if rename and updated[0] != values["product_name"]:
            self.products_by_name[(values["seller_id"], values["product_name"])] = pid
            self.renamed = True
            updated[0] = values["product_name"]
        for column, _name, index in product_cols:
            if column == "product_status" and values[column] is None:
                continue  # an empty status cell keeps the product's status
            if updated[index] != values[column]:
                updated[index] = values[column]
        if updated != state:
            changed_products[pid] = updated
            return True
        return False

    # ---- set-based writes: each batch is COPYed into a temporary table, then one statement per step
    # moves it into place and writes the history rows in the same statement (a data-modifying CTE).

    def _temp_tables(self, cursor) -> None:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _import_row (n int, seller_id bigint, sku text, product_name text,"
            " name text, options text, price numeric, weight_grams int, length_cm numeric, width_cm numeric,"
            " height_cm numeric, is_active bool, description text, brand text, status text, category_id bigint)"
            " ON COMMIT DROP;"
            " CREATE TEMP TABLE IF NOT EXISTS _import_product (id bigint, seller_id bigint, name text,"
            " description text, brand text, status text, category_id bigint) ON COMMIT DROP;"
            " CREATE TEMP TABLE IF NOT EXISTS _import_variant (id bigint, product_id bigint, seller_id bigint,"
            " sku text, name text, options text, price numeric, weight_grams int, length_cm numeric,"
            " width_cm numeric, height_cm numeric, is_active bool) ON COMMIT DROP"
        )

    def _copy(self, cursor, table: str, columns: str, rows) -> None:
        cursor.execute(f"TRUNCATE {table}")
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _history_sql(self, model, source: str, kind: str) -> tuple[str, list]:
        history = model.history.model._meta.db_table
        columns = ", ".join(f.column for f in model._meta.concrete_fields)
        sql = (f"INSERT INTO {history} ({columns}, history_date, history_change_reason, history_type,"
               f" history_user_id) SELECT {columns}, now(), %s, %s, %s FROM {source}")
        return sql, [self.reason or None, kind, self.user.pk if self.user else None]

    def _insert_products(self, cursor, new_products: dict) -> None:
        self._copy(cursor, "_import_product", "seller_id, name, description, brand, status, category_id",
                   ((k[0], *state) for k, state in new_products.items()))
        history, params = self._history_sql(Product, "ins", "+")
        cursor.execute(
            f"WITH ins AS (INSERT INTO {self.product_table} (created_at, updated_at, seller_id, name, description,"
            f" brand, status, category_id) SELECT now(), now(), seller_id, name, description, brand, status,"
            f" category_id FROM _import_product RETURNING *), hist AS ({history})"
            f" SELECT id, seller_id, name FROM ins",
            params,
        )
        for pid, seller_id, name in cursor.fetchall():
            self.products_by_name[(seller_id, name)] = pid

    def _update_products(self, cursor, changed: dict[int, list]) -> None:
        self._copy(cursor, "_import_product", "id, name, description, brand, status, category_id",
                   ((pid, *state) for pid, state in changed.items()))
        history, params = self._history_sql(Product, "upd", "~")
        cursor.execute(
            f"WITH upd AS (UPDATE {self.product_table} p SET name = u.name, description = u.description,"
            f" brand = u.brand, status = u.status, category_id = u.category_id, updated_at = now()"
            f" FROM _import_product u WHERE p.id = u.id RETURNING p.*) {history}",
            params,
        )

    def _variant_row(self, values: list) -> tuple:
        name, options, price, weight, length, width, height, active = values
        return (name, self._options_json(options), price, weight, length, width, height, active)

    def _insert_variants(self, cursor, new_variants: list[tuple[tuple[int, str], int]]) -> None:
        """The new variants straight from _import_row: only each one's product id goes along, as an array
        indexed by n (0 for the rows that are not new). Columns left out of the file get the defaults.
        A plain INSERT (no ON CONFLICT arbitration per row): _needing_a_look found none of these SKUs, so a
        unique violation means another transaction created one since, and the whole import stops."""
        product_ids = [0] * (max(n for _key, n in new_variants) + 1)
        for pkey, n in new_variants:
            product_ids[n] = self.products_by_name[pkey]
        history, params = self._history_sql(Variant, "ins", "+")
        try:
            cursor.execute(
                f"WITH ins AS (INSERT INTO {self.variant_table} (created_at, updated_at, product_id, seller_id, sku,"
                f" name, option_values, price, weight_grams, length_cm, width_cm, height_cm, is_active)"
                f" SELECT now(), now(), p.product_id, r.seller_id, r.sku, COALESCE(r.name, ''),"
                f" COALESCE(r.options, '{{}}')::jsonb, r.price, r.weight_grams, r.length_cm, r.width_cm,"
                f" r.height_cm, COALESCE(r.is_active, true) FROM _import_row r CROSS JOIN LATERAL"
                f" (SELECT (%s::bigint[])[r.n + 1] AS product_id) p WHERE p.product_id > 0 ORDER BY r.n"
                f" RETURNING *) {history}",
                [_bigint_array(product_ids), *params],
            )
        except IntegrityError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != "23505":  # unique_violation
                raise
            raise ImportConflict(_("Some SKUs of this file were created by someone else during the import; run "
                                   "the import again.")) from exc

    def _update_variants(self, cursor, changed: dict[int, list]) -> None:
        self._copy(cursor, "_import_variant", "id, name, options, price, weight_grams, length_cm, width_cm,"
                   " height_cm, is_active", ((vid, *self._variant_row(values)) for vid, values in changed.items()))
        history, params = self._history_sql(Variant, "upd", "~")
        cursor.execute(
            f"WITH upd AS (UPDATE {self.variant_table} v SET name = u.name, option_values = u.options::jsonb,"
            f" price = u.price, weight_grams = u.weight_grams, length_cm = u.length_cm, width_cm = u.width_cm,"
            f" height_cm = u.height_cm, is_active = u.is_active, updated_at = now()"
            f" FROM _import_variant u WHERE v.id = u.id RETURNING v.*) {history}",
            params,
        )


# ---------------------------------------------------------------------------------------------------- stock


class StockImporter(Importer):
    """Counted stock per warehouse: the on-hand figure of (seller, SKU, warehouse) is set through
    catalog.services.stock_set_on_hand, which records the difference as a StockMovement ("import")."""

    kind = "stock"
    title = gettext_lazy("Stock levels")
    permissions = ("catalog.change_stocklevel",)
    batch_size = 500
    columns = [
        Column("seller", "penjual", gettext_lazy("Seller code."), True, ("TOKO01", "TOKO01")),
        Column("sku", "sku", gettext_lazy("SKU of one of the seller's variants."), True, ("KAOS-M-L", "KAOS-M-XL")),
        Column("warehouse", "gudang", gettext_lazy("Warehouse code."), True, ("WH-JKT", "WH-JKT")),
        Column("on_hand", "stok", gettext_lazy("Counted stock on hand: a whole number, zero or more."), True,
               ("120", "1.000")),
        Column("note", "catatan", gettext_lazy("Note kept on the stock movement."), False, ("Stock opname", "")),
    ]

    def begin(self) -> None:
        self.sellers = seller_map(self.user)
        self.warehouses = {code.upper(): (pk, seller_id) for pk, code, seller_id
                           in Warehouse.objects.filter(is_active=True).values_list("pk", "code", "seller_id")}
        self.seen: set[tuple[int, str, int]] = set()

    def process_batch(self, rows: list[Row], report: Report) -> None:
        cleaned = []
        for row in rows:
            problems: list = []
            seller_id = lookup_seller(self.sellers, row, problems)
            sku = imp.text(row, "sku", required=True, max_length=64, problems=problems)
            code = imp.text(row, "warehouse", required=True, problems=problems)
            warehouse = self.warehouses.get(code.upper()) if code else None
            if code and warehouse is None:
                problems.append(("warehouse", code, _("no active warehouse with this code")))
            elif warehouse and warehouse[1] and seller_id and warehouse[1] != seller_id:
                problems.append(("warehouse", code, _("is the private warehouse of another seller")))
            on_hand = imp.integer(row, "on_hand", required=True, problems=problems)
            note = imp.text(row, "note", problems=problems)
            if seller_id and sku and warehouse:
                key = (seller_id, sku, warehouse[0])
                if key in self.seen:
                    problems.append(("sku", sku, _("this SKU and warehouse appear more than once in the file")))
                self.seen.add(key)
            if problems:
                report.reject(row, problems)
            else:
                cleaned.append((row, seller_id, sku, warehouse[0], on_hand, note))
        if not cleaned:
            return
        variants = {(v.seller_id, v.sku): v for v in Variant.objects.filter(
            seller_id__in={c[1] for c in cleaned}, sku__in={c[2] for c in cleaned})}
        levels = dict(((v, w), on_hand) for v, w, on_hand in StockLevel.objects.filter(
            variant__in=[v.pk for v in variants.values()], warehouse_id__in={c[3] for c in cleaned},
        ).values_list("variant_id", "warehouse_id", "on_hand"))
        warehouses = Warehouse.objects.in_bulk({c[3] for c in cleaned})
        from django.db import transaction

        for row, seller_id, sku, warehouse_id, on_hand, note in cleaned:
            variant = variants.get((seller_id, sku))
            if variant is None:
                report.reject(row, [("sku", sku, _("the seller has no variant with this SKU"))])
                continue
            before = levels.get((variant.pk, warehouse_id))
            try:
                with transaction.atomic():
                    stock_set_on_hand(variant=variant, warehouse=warehouses[warehouse_id], on_hand=on_hand,
                                      reason=StockMovement.Reason.IMPORT, reference=self.reference, note=note,
                                      acting_user=self.user)
            except ApplicationError as exc:
                report.reject(row, imp.error_problems(exc, default_column="on_hand"))
                continue
            if before is None:
                report.outcome(row, "new")
            else:
                report.outcome(row, "unchanged" if before == on_hand else "updated",
                               note=f"{before} → {on_hand}" if before != on_hand else "")


# --------------------------------------------------------------------------------------------------- export


class VariantExportResource(resources.ModelResource):
    seller = fields.Field(attribute="seller__code", column_name="seller")
    product_name = fields.Field(attribute="product__name", column_name="product_name")
    variant_name = fields.Field(attribute="name", column_name="variant_name")
    category = fields.Field(attribute="product__category__slug", column_name="category")
    brand = fields.Field(attribute="product__brand", column_name="brand")
    product_status = fields.Field(attribute="product__status", column_name="product_status")
    options = fields.Field(column_name="options")
    active = fields.Field(attribute="is_active", column_name="active")

    select_related = ("seller", "product__category")

    class Meta:
        model = Variant
        fields = ("seller", "sku", "product_name", "variant_name", "price", "weight_grams", "category", "brand",
                  "product_status", "options", "length_cm", "width_cm", "height_cm", "active")
        export_order = fields

    def dehydrate_options(self, variant) -> str:
        return "; ".join(f"{k}={v}" for k, v in (variant.option_values or {}).items())


class ProductExportResource(resources.ModelResource):
    """The product list exports one row per variant (the same columns the product import reads)."""

    seller = fields.Field(attribute="seller__code", column_name="seller")
    category = fields.Field(attribute="category__slug", column_name="category")
    variants = fields.Field(column_name="variants")

    select_related = ("seller", "category")
    prefetch_related = ("variants",)

    class Meta:
        model = Product
        fields = ("id", "seller", "name", "brand", "status", "category", "variants", "created_at")
        export_order = fields

    def dehydrate_variants(self, product) -> str:
        return ", ".join(v.sku for v in product.variants.all())


class StockLevelExportResource(resources.ModelResource):
    seller = fields.Field(attribute="variant__seller__code", column_name="seller")
    sku = fields.Field(attribute="variant__sku", column_name="sku")
    warehouse = fields.Field(attribute="warehouse__code", column_name="warehouse")

    select_related = ("variant__seller", "warehouse")

    class Meta:
        model = StockLevel
        fields = ("seller", "sku", "warehouse", "on_hand", "reserved", "available", "updated_at")
        export_order = fields


__all__ = ["ProductExportResource", "ProductImporter", "StockImporter", "StockLevelExportResource",
           "VariantExportResource"]
