-- A pandoc filter for the man pages (scripts/build-man): each table becomes a list of tagged
-- paragraphs, as man pages list options, since a table wider than the terminal does not render.
-- The first column is the tag; the middle columns follow as "Header: value", separated by ";";
-- the last column is the paragraph below (labelled too, unless its header is "Meaning").

local function inlines_of(cell)
  return pandoc.utils.blocks_to_inlines(cell.contents)
end

local function header_names(tbl)
  local names = {}
  local row = tbl.head.rows[1]
  if row then
    for i, cell in ipairs(row.cells) do names[i] = pandoc.utils.stringify(cell.contents) end
  end
  return names
end

function Table(tbl)
  local names = header_names(tbl)
  local items = {}
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      local cells = row.cells
      local term = inlines_of(cells[1])
      local details = pandoc.List()
      for i = 2, #cells - 1 do
        local value = inlines_of(cells[i])
        if #value > 0 then
          if #details > 0 then details:extend({ pandoc.Str(";"), pandoc.Space() }) end
          details:extend({ pandoc.Str((names[i] or "") .. ":"), pandoc.Space() })
          details:extend(value)
        end
      end
      local definition = pandoc.List()
      if #details > 0 then definition:insert(pandoc.Para(details)) end
      if #cells > 1 then
        local last = inlines_of(cells[#cells])
        local name = names[#cells]
        if name and name ~= "Meaning" and name ~= "" then
          last = pandoc.List({ pandoc.Str(name .. ":"), pandoc.Space() }) .. last
        end
        definition:insert(pandoc.Para(last))
      end
      items[#items + 1] = { term, { definition } }
    end
  end
  return pandoc.DefinitionList(items)
end
