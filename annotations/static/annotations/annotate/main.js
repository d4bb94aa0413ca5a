// The annotate page: select text and tag it, browse and edit annotations, review machine
// suggestions and edit the article text. The server draws the text and the list; this wires
// the modules to them. All user text goes into the DOM as text nodes or attribute values
// (never innerHTML), and the page carries no inline script (CSP): its data comes from the
// json_script tag "page-data" (state.js).
import { setApiRoot } from "./api.js";
import { wireCaret } from "./caret.js";
import { wireClaimants } from "./claimants.js";
import { wireForms } from "./forms.js";
import { wireKeyboard } from "./keyboard.js";
import { completeList } from "./list.js";
import { wireSelection } from "./selection.js";
import { DATA } from "./state.js";
import { watchAnalysis, wireSuggestions } from "./suggestions.js";
import { wireTagging } from "./tagging.js";
import { showReanchorBanner, wireTextEditor } from "./texteditor.js";
import { wireTouch } from "./touch.js";

if (DATA) {
  setApiRoot(DATA.api_root);
  wireSelection();
  wireForms();
  wireClaimants();
  wireTagging();
  wireSuggestions();
  wireTextEditor();
  wireCaret();
  wireKeyboard();
  wireTouch();
  completeList();
  showReanchorBanner();
  watchAnalysis();
}
