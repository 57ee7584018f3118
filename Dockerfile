FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
RUN pip install --no-cache-dir -e .
ENV MDMHUB_HOST=0.0.0.0 MDMHUB_PORT=8000
EXPOSE 8000
CMD ["sh", "-c", "mdmhub db upgrade && mdmhub serve"]
