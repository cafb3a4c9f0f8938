"""`nudgebot teams-package`: the Teams app package (manifest.json and icons) as a zip to upload."""

from __future__ import annotations

from pathlib import Path

import click

from bot.errors import ConfigError, InputError


@click.command("teams-package")
@click.option("--output", "-o", default="nudgebot-teams.zip", show_default=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Where to write the zip.")
@click.option("--app-id", help="The Azure Bot's Microsoft App ID (default: MicrosoftAppId).")
@click.option("--domain", help="Your server's host name, e.g. nudgebot.example.com (listed in validDomains).")
@click.option("--website", help="https:// page about the app, for the developer's links (default: https://DOMAIN/).")
@click.option("--developer", default="Nudgebot", show_default=True, help="Who publishes the app in your organisation.")
@click.option("--version", "version", default="1.0.0", show_default=True,
              help="The package's version; raise it for each upload of a changed package.")
@click.pass_obj
def teams_package(app, output: Path, app_id: str | None, domain: str | None, website: str | None,
                  developer: str, version: str) -> None:
    """Write the Teams app package: manifest.json (bot id, scopes, commands, the consent to read
    channel messages) and the two icons, zipped for Teams' "Upload a custom app".

    \b
    Example:
        MicrosoftAppId=3f1c2e4a-… nudgebot teams-package --domain nudgebot.example.com
        nudgebot teams-package --app-id 3f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b --output nudgebot-teams.zip
    """
    from bot.teams.package import manifest, write_package

    app_id = (app_id or app.settings.microsoft_app_id or "").strip()
    if not app_id:
        raise ConfigError("teams-package needs the Azure Bot's app id: set MicrosoftAppId or pass --app-id")
    content = manifest(app_id, domain=domain, version=version, developer=developer, website=website)
    try:
        write_package(output, content)
    except OSError as exc:
        raise InputError(f"{output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output}: upload it in Teams (Apps → Manage your apps → Upload an app).")
    if not domain and not website:
        click.echo("Note: without --domain or --website, the app's website, privacy and terms links point at "
                   f"{content['developer']['websiteUrl']}; pass --domain HOST (your server) before your "
                   "organisation sees the app.", err=True)
