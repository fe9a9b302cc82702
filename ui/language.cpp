#include "language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <optional>

namespace {

// What is installed now, so that a second call (the window after the command line) does not stack a second copy.
struct Installed {
    QString language;
    QTranslator* pigeon = nullptr;
    QTranslator* qt = nullptr;
};

std::optional<Installed>& installed()
{
    static std::optional<Installed> current;
    return current;
}

// A translator for `name` in `locale` from `folder`, installed; nullptr when there is none for that language.
QTranslator* install(const QLocale& locale, const QString& name, const QString& folder)
{
    auto* translator = new QTranslator(QCoreApplication::instance());
    if (translator->load(locale, name, QStringLiteral("_"), folder)) {
        QCoreApplication::installTranslator(translator);
        return translator;
    }
    delete translator;
    return nullptr;
}

} // namespace

void installTranslations(const QString& language)
{
    std::optional<Installed>& current = installed();
    if (current && current->language == language)
        return;
    if (current) {
        delete current->pigeon; // a deleted translator removes itself from the application
        delete current->qt;
    }
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (!language.isEmpty())
        QLocale::setDefault(locale);
    // Pigeon's own strings are built into the program (resources/translations); Qt's (OK, Cancel, the file dialog,
    // the command line's "Usage:") come from the system when it has them.
    current = Installed{language, install(locale, QStringLiteral("pigeon"), QStringLiteral(":/i18n")),
                        install(locale, QStringLiteral("qtbase"), QLibraryInfo::path(QLibraryInfo::TranslationsPath))};
}
