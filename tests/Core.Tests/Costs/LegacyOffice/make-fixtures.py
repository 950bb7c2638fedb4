"""Makes the legacy Office fixtures in this folder (see README.md). Debian 12: apt-get install
libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-calc-nogui gir1.2-gsf-1 python3-gi; run with
/usr/bin/python3 make-fixtures.py OUTPUT_FOLDER."""
import ctypes, os, subprocess, sys, tempfile
import gi
gi.require_version('Gsf', '1')
from gi.repository import Gsf

NS = ' '.join(f'xmlns:{p}="urn:oasis:names:tc:opendocument:xmlns:{u}"' for p, u in [
    ('office', 'office:1.0'), ('style', 'style:1.0'), ('text', 'text:1.0'), ('table', 'table:1.0'),
    ('draw', 'drawing:1.0'), ('svg', 'svg-compatible:1.0'), ('fo', 'xsl-fo-compatible:1.0')])

def flat(kind, body, styles=''):
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document {NS} office:version="1.2" '
            f'office:mimetype="application/vnd.oasis.opendocument.{kind}"><office:automatic-styles>{styles}'
            f'</office:automatic-styles><office:body><office:{kind}>{body}</office:{kind}></office:body></office:document>')

SOURCES = {
    # Ten pages: a page break before every paragraph after the first.
    'ten-pages.fodt': flat('text', ''.join(f'<text:p text:style-name="{"P1" if i else "Standard"}">Page {i + 1}: a short paragraph of a legacy Word document.</text:p>' for i in range(10)),
                           '<style:style style:name="P1" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style>'),
    'four-slides.fodp': flat('presentation', ''.join(f'<draw:page draw:name="s{i + 1}"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>Slide {i + 1}</text:p></draw:text-box></draw:frame></draw:page>' for i in range(4))),
    'three-sheets.fods': flat('spreadsheet', ''.join(f'<table:table table:name="Sheet{i + 1}"><table:table-row><table:table-cell office:value-type="float" office:value="{i + 1}"><text:p>{i + 1}</text:p></table:table-cell></table:table-row></table:table>' for i in range(3))),
}

gsf = ctypes.CDLL('libgsf-1.so.114')
glib, gobject = ctypes.CDLL('libglib-2.0.so.0'), ctypes.CDLL('libgobject-2.0.so.0')
glib.g_malloc0.restype = glib.g_strdup.restype = gsf.gsf_doc_meta_data_new.restype = ctypes.c_void_p
glib.g_malloc0.argtypes, glib.g_strdup.argtypes = [ctypes.c_size_t], [ctypes.c_char_p]
gobject.g_value_init.argtypes, gobject.g_value_set_int.argtypes = [ctypes.c_void_p, ctypes.c_size_t], [ctypes.c_void_p, ctypes.c_int]
gsf.gsf_doc_meta_data_insert.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
gsf.gsf_doc_meta_data_write_to_msole.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
ctypes.pythonapi.PyCapsule_GetPointer.restype = ctypes.c_void_p
ctypes.pythonapi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]

def restate(source, target, sector_size=512, **counts):
    """Copies a LibreOffice-made file's streams into a compound file libgsf writes, with the summaries libgsf writes
    from the counts given (page_count, slide_count): LibreOffice 7.4 states neither, Microsoft Office both."""
    infile = Gsf.InfileMSOle.new(Gsf.InputStdio.new(source))
    out = Gsf.OutfileMSOle.new_full(Gsf.OutputStdio.new(target), sector_size, 64)
    for i in range(infile.num_children()):
        name, child = infile.name_by_index(i), infile.child_by_index(i)
        if name not in ('\x05SummaryInformation', '\x05DocumentSummaryInformation'):  # storages: none in these files
            stream = out.new_child(name, False)
            if child.size:
                stream.write(child.read(child.size))
            stream.close()
    meta = gsf.gsf_doc_meta_data_new()
    for key, value in counts.items():
        gvalue = glib.g_malloc0(24)  # a GValue, taken over by the meta data
        gobject.g_value_init(gvalue, 6 << 2)  # G_TYPE_INT
        gobject.g_value_set_int(gvalue, value)
        gsf.gsf_doc_meta_data_insert(meta, glib.g_strdup(getattr(Gsf, f'META_NAME_{key.upper()}').encode()), gvalue)
    for name, document in (('\x05SummaryInformation', 0), ('\x05DocumentSummaryInformation', 1)):
        stream = out.new_child(name, False)
        assert gsf.gsf_doc_meta_data_write_to_msole(meta, ctypes.pythonapi.PyCapsule_GetPointer(stream.__gpointer__, None), document)
        stream.close()
    out.close()

target = os.path.abspath(sys.argv[1])
with tempfile.TemporaryDirectory() as work:
    for name, text in SOURCES.items():
        open(os.path.join(work, name), 'w').write(text)
    for name, kind in (('ten-pages.fodt', 'doc'), ('four-slides.fodp', 'ppt'), ('three-sheets.fods', 'xls')):
        subprocess.run(['soffice', f'-env:UserInstallation=file://{work}/profile', '--headless', '--convert-to', kind, '--outdir', work, os.path.join(work, name)], check=True)
    w = lambda name: os.path.join(work, name)
    t = lambda name: os.path.join(target, name)
    subprocess.run(['cp', w('ten-pages.doc'), w('three-sheets.xls'), target], check=True)
    restate(w('ten-pages.doc'), t('ten-pages-stated.doc'), page_count=10)
    restate(w('four-slides.ppt'), t('four-slides-stated.ppt'), slide_count=4)
    restate(w('four-slides.ppt'), t('four-slides-unstated.ppt'))  # also leaves out LibreOffice's 440 KB thumbnail
    restate(w('three-sheets.xls'), t('three-sheets-4096.xls'), sector_size=4096)
