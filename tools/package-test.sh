#!/usr/bin/env bash
# The packages as users get them (docs/packaging.md): packs the libraries and the `mnist` tool into a temporary
# folder, builds tools/package-test/Program.cs against that folder's packages (not the projects) and runs it, then
# installs the tool from the folder and runs it on a small dataset. Takes about a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/mnist-package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
feed=$work/feed
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# A package cache of its own: the global one may hold an older build of the same version, which restore would take
# instead of the one packed here.
export NUGET_PACKAGES=$work/packages

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' build/Package.props)
packages=(src/*/*.csproj samples/Mnist.Cli/Mnist.Cli.csproj)
start=$SECONDS
for project in "${packages[@]}"; do
  dotnet pack "$project" -c Release -o "$feed" -nologo -v q -p:ContinuousIntegrationBuild=true
done

# Each package comes with its symbols, README, licence expression and XML docs (libraries).
for project in "${packages[@]}"; do
  id=$(basename "$project" .csproj)
  python3 - "$feed" "$id" "$version" <<'PY'
import sys, zipfile
feed, package, version = sys.argv[1:]
tool = package == "Mnist.Cli"
nupkg = zipfile.ZipFile(f"{feed}/{package}.{version}.nupkg")
names = set(nupkg.namelist())
nuspec = nupkg.read(f"{package}.nuspec").decode()
problems = [what for what, ok in [
    ("README.md", "README.md" in names and "<readme>README.md</readme>" in nuspec),
    ("licence expression", '<license type="expression">MIT</license>' in nuspec),
    ("repository element", "<repository " in nuspec),
    ("XML docs", tool or f"lib/net10.0/{package}.xml" in names),
    ("tool settings", not tool or any(n.endswith("DotnetToolSettings.xml") for n in names)),
] if not ok]
symbols = set(zipfile.ZipFile(f"{feed}/{package}.{version}.snupkg").namelist())
if not any(n.endswith(".pdb") for n in symbols):
    problems.append(".snupkg without a .pdb")
if problems:
    sys.exit(f"package test FAILED: {package} {version}: missing " + ", ".join(problems))
print(f"{package} {version}: .nupkg and .snupkg with README, licence, repository" + ("" if tool else ", XML docs"))
PY
done

# The consumer: restores Mnist.* from the feed only and the dependencies from the machine's default source.
app=$work/app
mkdir -p "$app"
cp tools/package-test/Program.cs "$app/"
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="mnist-local" value="$feed" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="mnist-local">
      <package pattern="Mnist.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
XML
cat > "$app/PackageTest.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Mnist.Classifiers" Version="$version" />
    <PackageReference Include="Mnist.Classifiers.Images" Version="$version" />
  </ItemGroup>
</Project>
XML
dotnet build "$app" -c Release -nologo -v q -o "$app/out"
# Restored as packages, not projects: the assets file says which.
for id in Mnist.Classifiers Mnist.Classifiers.Images; do
  grep -A1 "\"$id/$version\": {" "$app/obj/project.assets.json" | grep -q '"type": "package"' \
    || { echo "package test FAILED: $id was not restored as a package" >&2; exit 1; }
done
dotnet "$app/out/PackageTest.dll"

# The tool: installed from the feed alone (it carries its dependencies; a package of the same name elsewhere must not
# be taken instead), run on the bars written as MNIST's IDX files.
mkdir -p "$work/tool"
cat > "$work/tool/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
  </packageSources>
</configuration>
XML
(cd "$work/tool" && dotnet tool install Mnist.Cli --version "$version" --tool-path "$work/tools" --add-source "$feed")
mnist=$work/tools/mnist
"$mnist" --help | grep -q "fetch"
dotnet "$app/out/PackageTest.dll" write-inputs "$work/inputs"
"$mnist" fetch --from "$work/inputs" -o "$work/data.h5"
"$mnist" train -d "$work/data.h5" -M forest -E 10 -o "$work/forest.model" -m
"$mnist" predict -m "$work/forest.model" "$work/inputs/bar.png"
echo "package test: passed in $((SECONDS - start)) s"
