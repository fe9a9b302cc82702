#pragma once

#include <QString>

// Loads the Pigeon and Qt translations for `language` ("zh_CN", "en"; empty: the system locale) into the running
// QCoreApplication or QApplication, so that the window, the console and the command line speak it. Called again for
// the language already loaded it changes nothing; for another one it replaces the translations.
void installTranslations(const QString& language);
