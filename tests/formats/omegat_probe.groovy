// Run by OmegaT (--mode=console-translate --script=this) for tm's tests: it writes
// what OmegaT loaded, then plays the translator. Output: $TM_OMEGAT_DUMP, one
// tab-separated record per line (text fields with \n and \t escaped).
//   seg    <n> <source> <translation or empty>
//   tm     <file> <entries OmegaT loaded from it>
//   gloss  <segment n> <what the glossary pane shows for one entry>
//   tbx    <what the pane shows for one entry of $TM_OMEGAT_TBX (TBX 2008)>
// The translator: segments listed in $TM_OMEGAT_WORK ("n<TAB>author<TAB>text" lines,
// in order) are set as that author, then omegat/project_save.tmx is written as
// OmegaT's own save writes it (console mode has no save command).
import org.omegat.core.Core
import org.omegat.core.data.PrepareTMXEntry
import org.omegat.gui.glossary.FindGlossaryThread
import org.omegat.gui.glossary.GlossaryManager
import org.omegat.gui.glossary.GlossaryReaderTBX
import org.omegat.util.Preferences

if (eventType.toString() != "LOAD") return

def esc = { s -> s == null ? "" : s.toString().replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n") }
def out = new StringBuilder()
def project = Core.getProject()
def entries = project.getAllEntries()

for (ste in entries) {
    def info = project.getTranslationInfo(ste)
    out << "seg\t" << ste.entryNum() << "\t" << esc(ste.getSrcText()) << "\t" << esc(info.isTranslated() ? info.translation : "") << "\n"
}
for (e in project.getTransMemories().entrySet()) {
    out << "tm\t" << new File(e.getKey()).getName() << "\t" << e.getValue().getEntries().size() << "\n"
}

// The manager the glossary pane uses, fed the project's glossary files as its folder
// monitor would feed them (console mode has no pane: its refresh is skipped).
def glossary = new GlossaryManager(null)
glossary.priorityGlossary = new File(project.getProjectProperties().getWriteableGlossary())
def glossaryRoot = new File(project.getProjectProperties().getGlossaryRoot())
for (f in glossaryRoot.listFiles().sort()) {
    try { glossary.fileChanged(f) } catch (NullPointerException noPane) { }
}
// The pane's own search finds the entries whose term OmegaT sees in the segment; it
// wants a pane, and a bare one (no constructor run: there is no window) serves.
def unsafeField = sun.misc.Unsafe.getDeclaredField("theUnsafe")
unsafeField.setAccessible(true)
def pane = unsafeField.get(null).allocateInstance(org.omegat.gui.glossary.GlossaryTextArea)
def current = null
for (def c = pane.getClass(); c != null && current == null; c = c.getSuperclass()) {
    current = c.getDeclaredFields().find { it.getName() == "currentlyProcessedEntry" }
}
current.setAccessible(true)
for (ste in entries) {
    current.set(pane, ste)  // the search stops if the pane has moved to another segment
    for (g in new FindGlossaryThread(pane, ste, glossary).search()) {
        out << "gloss\t" << ste.entryNum() << "\t" << esc(g.toStyledString().text) << "\n"
    }
}
def tbx = System.getenv("TM_OMEGAT_TBX")
if (tbx) {
    for (g in GlossaryReaderTBX.read(new File(tbx), false)) out << "tbx\t" << esc(g.toStyledString().text) << "\n"
}

def work = System.getenv("TM_OMEGAT_WORK")
if (work) {
    def saveThread = Core.getDeclaredField("saveThread")
    saveThread.setAccessible(true)
    saveThread.set(null, [disable: {}, enable: {}] as org.omegat.core.threads.IAutoSave)
    def byNum = entries.collectEntries { [(it.entryNum()): it] }
    new File(work).eachLine("UTF-8") { line ->
        def (num, author, text) = line.split("\t", 3)
        Preferences.setPreference(Preferences.TEAM_AUTHOR, author)
        def ste = byNum[num as int]
        def e = new PrepareTMXEntry()
        e.source = ste.getSrcText()
        e.translation = text
        project.setTranslation(ste, e, true, null)
    }
    def saved = new File(project.getProjectProperties().getProjectInternal(), "project_save.tmx")
    project.projectTMX.save(project.getProjectProperties(), saved.getPath(), true)
}
new File(System.getenv("TM_OMEGAT_DUMP")).setText(out.toString(), "UTF-8")
