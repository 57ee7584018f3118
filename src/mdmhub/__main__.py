from mdmhub.cli import app

app()
