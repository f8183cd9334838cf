/* test-workbook.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "xi-import-reader.h"
#include "xi-test-zip.h"

/* Excel and LibreOffice workbooks, written here with libgsf as those
 * programs lay them out, read through the import. */

static XiImportBatch *
read_workbook (GBytes      *bytes,
               const char  *name,
               GError     **error)
{
  return xi_import_read_bytes (bytes, name, "62", NULL, error);
}

static XiImportRow *
row (XiImportBatch *batch,
     guint          i)
{
  g_assert_cmpuint (i, <, batch->rows->len);
  return g_ptr_array_index (batch->rows, i);
}

#define XLSX_WORKBOOK \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
  "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"" \
  " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" \
  "<sheets><sheet name=\"Pelanggan\" sheetId=\"1\" r:id=\"rId3\"/>" \
  "<sheet name=\"Lain\" sheetId=\"2\" r:id=\"rId1\"/></sheets></workbook>"
#define XLSX_RELS \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
  "<Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet2.xml\"/>" \
  "<Relationship Id=\"rId3\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/>" \
  "</Relationships>"

/* Shared and inline strings, a number cell holding a whole phone number,
 * one written in exponent form, a skipped row and a refused one. */
static void
test_xlsx (void)
{
  const XiTestZipPart parts[] = {
    { "xl/workbook.xml", XLSX_WORKBOOK },
    { "xl/_rels/workbook.xml.rels", XLSX_RELS },
    { "xl/sharedStrings.xml",
      "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"4\">"
      "<si><t>Nama</t></si><si><t>No HP</t></si><si><t>Kota</t></si>"
      "<si><r><t>Ani </t></r><r><t>Wijaya</t></r><rPh><t>x</t></rPh></si></sst>" },
    { "xl/worksheets/sheet2.xml", "<worksheet><sheetData/></worksheet>" },
    { "xl/styles.xml",
      "<styleSheet><numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy;@\"/>"
      "<numFmt numFmtId=\"165\" formatCode=\"&quot;Rp&quot;\\ #,##0\"/></numFmts>"
      "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
      "<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"1\"/><xf numFmtId=\"164\"/>"
      "<xf numFmtId=\"165\"/></cellXfs></styleSheet>" },
    { "xl/worksheets/sheet1.xml",
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
      "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"inlineStr\"><is><t>Lahir</t></is></c>"
      "<c r=\"E1\" t=\"inlineStr\"><is><t>Belanja</t></is></c></row>"
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c><c r=\"B2\"><v>6281234567890</v></c>"
      "<c r=\"C2\" t=\"inlineStr\"><is><t>Jakarta, Pusat</t></is></c>"
      "<c r=\"D2\" s=\"2\"><v>33010</v></c><c r=\"E2\" s=\"3\"><v>150000</v></c></row>"
      "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>Budi \"B\"</t></is></c>"
      "<c r=\"B4\" s=\"1\"><v>6.2812345678910002E+12</v></c><c r=\"C4\" t=\"str\"><v>Bandung</v></c></row>"
      "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>Salah</t></is></c>"
      "<c r=\"B5\" t=\"inlineStr\"><is><t>12ab</t></is></c></row>"
      "<row r=\"6\"><c r=\"C6\" t=\"inlineStr\"><is><t>Depok</t></is></c>"
      "<c r=\"B6\" t=\"inlineStr\"><is><t>0812-1111-0003</t></is></c></row>"
      "</sheetData></worksheet>" },
  };
  g_autoptr(GBytes) bytes = xi_test_make_zip (parts, G_N_ELEMENTS (parts));
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_workbook (bytes, "pelanggan.xlsx", &error);
  XiImportIssue *issue;

  g_assert_no_error (error);
  g_assert_cmpint (batch->format, ==, XI_IMPORT_FORMAT_WORKBOOK);
  g_assert_cmpuint (batch->rows->len, ==, 3);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Ani Wijaya");
  g_assert_cmpstr (row (batch, 0)->phone, ==, "6281234567890");
  g_assert_cmpuint (row (batch, 0)->line, ==, 2);
  g_assert_cmpstr (batch->custom_field_names[0], ==, "kota");
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "Jakarta, Pusat");
  /* A day number in a date style is a day; in a money style, a number. */
  g_assert_cmpstr (batch->custom_field_names[1], ==, "lahir");
  g_assert_cmpstr (row (batch, 0)->custom_values[1], ==, "1990-05-17");
  g_assert_cmpstr (row (batch, 0)->custom_values[2], ==, "150000");
  g_assert_cmpstr (row (batch, 1)->name, ==, "Budi \"B\"");
  g_assert_cmpstr (row (batch, 1)->phone, ==, "6281234567891");
  g_assert_cmpuint (row (batch, 1)->line, ==, 4);
  /* Cells out of order land in their own columns. */
  g_assert_cmpstr (row (batch, 2)->phone, ==, "6281211110003");
  g_assert_cmpstr (row (batch, 2)->custom_values[0], ==, "Depok");

  g_assert_cmpuint (batch->issues->len, ==, 1);
  issue = g_ptr_array_index (batch->issues, 0);
  g_assert_cmpuint (issue->line, ==, 5);
  g_assert_cmpstr (issue->excerpt, ==, "12ab");
}

/* A LibreOffice sheet: numbers from office:value, not the displayed
 * 6,28123E+12; a date as its day; the thousands of repeated empty cells
 * and rows an .ods file ends with. */
static void
test_ods (void)
{
  const XiTestZipPart parts[] = {
    { "mimetype", "application/vnd.oasis.opendocument.spreadsheet" },
    { "content.xml",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
      " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
      " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">"
      "<office:body><office:spreadsheet><table:table table:name=\"Pelanggan\">"
      "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Nama</text:p></table:table-cell>"
      "<table:table-cell office:value-type=\"string\"><text:p>Telepon</text:p></table:table-cell>"
      "<table:table-cell office:value-type=\"string\"><text:p>Ulang tahun</text:p></table:table-cell>"
      "<table:table-cell table:number-columns-repeated=\"1021\"/></table:table-row>"
      "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Citra</text:p>"
      "<text:p>Lestari</text:p></table:table-cell>"
      "<table:table-cell office:value-type=\"float\" office:value=\"6281234567890\">"
      "<text:p>6,28123E+12</text:p></table:table-cell>"
      "<table:table-cell office:value-type=\"date\" office:date-value=\"1990-05-17T00:00:00\">"
      "<text:p>17/05/90</text:p></table:table-cell>"
      "<table:table-cell table:number-columns-repeated=\"1021\"/></table:table-row>"
      "<table:table-row table:number-rows-repeated=\"2\"><table:table-cell table:number-columns-repeated=\"1024\"/>"
      "</table:table-row>"
      "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Dodi</text:p></table:table-cell>"
      "<table:table-cell office:value-type=\"string\"><text:p>0812-1111-0004</text:p></table:table-cell>"
      "</table:table-row>"
      "<table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell table:number-columns-repeated=\"1024\"/>"
      "</table:table-row></table:table>"
      "<table:table table:name=\"Lain\"><table:table-row><table:table-cell office:value-type=\"string\">"
      "<text:p>Bukan</text:p></table:table-cell><table:table-cell office:value-type=\"string\">"
      "<text:p>0812-9999-9999</text:p></table:table-cell></table:table-row></table:table>"
      "</office:spreadsheet></office:body></office:document-content>" },
  };
  g_autoptr(GBytes) bytes = xi_test_make_zip (parts, G_N_ELEMENTS (parts));
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) batch = read_workbook (bytes, "pelanggan.ods", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (batch->rows->len, ==, 2);
  g_assert_cmpuint (batch->issues->len, ==, 0);
  g_assert_cmpstr (row (batch, 0)->name, ==, "Citra Lestari");
  g_assert_cmpstr (row (batch, 0)->phone, ==, "6281234567890");
  g_assert_cmpstr (batch->custom_field_names[0], ==, "ulang_tahun");
  g_assert_cmpstr (row (batch, 0)->custom_values[0], ==, "1990-05-17");
  g_assert_cmpstr (row (batch, 1)->phone, ==, "6281211110004");
  g_assert_cmpuint (row (batch, 1)->line, ==, 5);
}

/* What cannot be read says so, and what to do. */
static void
test_malformed (void)
{
  static const XiTestZipPart broken_sheet[] = {
    { "xl/workbook.xml", XLSX_WORKBOOK },
    { "xl/_rels/workbook.xml.rels", XLSX_RELS },
    { "xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c t=\"s\"><v>7</v></c></row></sheetData></worksheet>" },
  };
  static const XiTestZipPart no_sheet[] = {
    { "xl/workbook.xml", XLSX_WORKBOOK },
    { "xl/_rels/workbook.xml.rels", XLSX_RELS },
  };
  static const XiTestZipPart bad_xml[] = {
    { "mimetype", "application/vnd.oasis.opendocument.spreadsheet" },
    { "content.xml", "<office:document-content><table:table><table:table-row></table:table>" },
  };
  static const XiTestZipPart text_document[] = {
    { "mimetype", "application/vnd.oasis.opendocument.text" },
    { "content.xml", "<x/>" },
  };
  static const XiTestZipPart escaping[] = {
    { "xl/workbook.xml", XLSX_WORKBOOK },
    { "xl/_rels/workbook.xml.rels",
      "<Relationships><Relationship Id=\"rId3\" Target=\"../../etc/passwd\"/></Relationships>" },
  };
  static const struct {
    const XiTestZipPart *parts;
    guint       n_parts;
    int         code;
    const char *says;
  } cases[] = {
    { broken_sheet, G_N_ELEMENTS (broken_sheet), XI_IMPORT_ERROR_UNREADABLE, "shared text 7" },
    { no_sheet, G_N_ELEMENTS (no_sheet), XI_IMPORT_ERROR_UNREADABLE, "“xl/worksheets/sheet1.xml” is missing" },
    { bad_xml, G_N_ELEMENTS (bad_xml), XI_IMPORT_ERROR_UNREADABLE, "save it again" },
    { text_document, G_N_ELEMENTS (text_document), XI_IMPORT_ERROR_UNSUPPORTED_FORMAT, "not a spreadsheet" },
    { escaping, G_N_ELEMENTS (escaping), XI_IMPORT_ERROR_UNREADABLE, "first sheet is not where" },
  };
  static const guint8 truncated[] = { 'P', 'K', 0x03, 0x04, 0x14, 0x00, 0x06, 0x00 };
  g_autoptr(GBytes) cut = g_bytes_new_static (truncated, sizeof truncated);
  g_autoptr(GError) error = NULL;
  g_autoptr(XiImportBatch) none = read_workbook (cut, "pelanggan.xlsx", &error);

  g_assert_null (none);
  g_assert_error (error, XI_IMPORT_ERROR, XI_IMPORT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "save it again as .xlsx, .ods or CSV"));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = xi_test_make_zip (cases[i].parts, cases[i].n_parts);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(XiImportBatch) batch = read_workbook (bytes, "x.xlsx", &local_error);

      g_test_message ("case %u: %s", i, local_error != NULL ? local_error->message : "no error");
      g_assert_null (batch);
      g_assert_error (local_error, XI_IMPORT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (local_error->message, cases[i].says));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xi/workbook/xlsx", test_xlsx);
  g_test_add_func ("/xi/workbook/ods", test_ods);
  g_test_add_func ("/xi/workbook/malformed", test_malformed);

  return g_test_run ();
}
