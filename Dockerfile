# scorebot as a small container image: built in one stage, run in another as a non-root user.
# The config is a mounted file (/config/config.yaml); secrets may come from the environment
# (SCOREBOT_ACCESS_TOKEN, SCOREBOT_PASSWORD, ...); everything the bot must keep is in the /data volume.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scorebot ./scorebot
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[postgres]'

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 scorebot \
    && mkdir /data /config && chown scorebot:scorebot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
USER scorebot
WORKDIR /config
ENV SCOREBOT_DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME /data
ENTRYPOINT ["scorebot"]
CMD ["run", "--config", "/config/config.yaml"]
